package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPathValuesRefused: a path value ({id}, {token}…) that is not acceptable text (a
// NUL, bytes that are not UTF-8, a bidirectional override, a tab or line break) names no record and no page:
// every route answers 404 in Amparo's shape, for every role, through a session and a
// token. On PostgreSQL such a value used to reach the query and answer 500 ("invalid
// byte sequence for encoding UTF8").
func TestPathValuesRefused(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			ta := newApp(t, engine)
			ag := ta.createAgency(t, "agencia-caminos")
			var clients []*bearer
			for _, role := range everyRole {
				u := ta.createUser(t, ag.ID, role, roleEmail(role))
				clients = append(clients, ta.newBearer(t, u.ID))
			}
			for _, rt := range ta.Routes() {
				if !strings.Contains(rt.Pattern, "{") || strings.Contains(rt.Pattern, "{$}") {
					continue
				}
				for _, bad := range []string{"%00", "%FF", "%E2%80%AE", "%09", "a%0Ab"} {
					method, _ := requestFor(rt.Pattern)
					_, path, _ := strings.Cut(rt.Pattern, " ")
					path = wildcardRe.ReplaceAllString(path, bad)
					body, hdr := bodyFor(method, path)
					for i, c := range clients {
						resp, got := c.do(t, method, path, strings.NewReader(body), hdr)
						switch {
						case resp.StatusCode >= 500:
							t.Errorf("%s %s as %s: %d, want 404\n%s", method, path, everyRole[i], resp.StatusCode, short(got))
						case resp.StatusCode != http.StatusNotFound:
							t.Errorf("%s %s as %s: %d, want 404", method, path, everyRole[i], resp.StatusCode)
						}
					}
				}
			}
		})
	}
}
