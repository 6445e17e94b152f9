package web

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// logPath is the request path as logs show it. A path can carry a secret (the token of
// a password-reset link, /reset/{token}) and logs are read by more people, kept longer
// and copied further than the database, so logs never show a path as it came: for a
// matched route, each wildcard's value is kept only when it is a record id (a UUID) and
// is otherwise replaced by its name ("/reset/{token}"); for a path no route matched,
// long segments (a mistyped link's token) are replaced by "…". The route pattern is
// logged beside it.
func logPath(r *http.Request) string {
	if r.Pattern == "" {
		return unmatchedPath(r.URL.Path)
	}
	p := r.Pattern
	if i := strings.IndexByte(p, ' '); i >= 0 { // "GET /x": drop the method
		p = p[i+1:]
	}
	if i := strings.IndexByte(p, '/'); i > 0 { // "host/x": drop the host
		p = p[i:]
	}
	segs := strings.Split(p, "/")
	actual := strings.Split(r.URL.Path, "/")
	var b strings.Builder
	for i, seg := range segs {
		if i > 0 {
			b.WriteByte('/')
		}
		switch {
		case i == len(segs)-1 && seg == "" && i < len(actual):
			// A prefix pattern ("GET /static/"): what follows is the file asked for.
			b.WriteString(unmatchedPath(strings.Join(actual[i:], "/")))
		case seg == "{$}":
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			name := strings.TrimSuffix(strings.Trim(seg, "{}"), "...")
			if v := r.PathValue(name); uuid.Validate(v) == nil && len(v) == 36 {
				b.WriteString(v)
			} else {
				b.WriteString("{" + name + "}")
			}
		default:
			b.WriteString(seg)
		}
	}
	return b.String()
}

// maxLoggedSegment is the longest path segment an unmatched path shows: words of a
// real path are shorter, tokens (43 characters) longer.
const maxLoggedSegment = 24

// unmatchedPath shortens a path no route knows: segments longer than maxLoggedSegment
// (unless record ids) become "…", and the whole is cut at 200 bytes.
func unmatchedPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if len(s) > maxLoggedSegment && !(len(s) == 36 && uuid.Validate(s) == nil) {
			segs[i] = "…"
		}
	}
	out := strings.Join(segs, "/")
	if len(out) > 200 {
		out = strings.ToValidUTF8(out[:200], "") + "…"
	}
	return out
}
