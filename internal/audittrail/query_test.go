package audittrail

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

func TestParseQueryPeriodIsEcuadorDays(t *testing.T) {
	for _, c := range []struct{ from, to string }{
		{"05/01/2026", "06/01/2026"},
		{"2026-01-05", "2026-01-06"},
	} {
		q, err := ParseQuery(url.Values{"from": {c.from}, "to": {c.to}}, false)
		if err != nil {
			t.Fatal(err)
		}
		// Guayaquil is UTC-5 all year: the 5th starts at 05:00 UTC, and "to" the 6th
		// includes that whole day, up to 05:00 UTC on the 7th.
		if got := q.Filter.From.Format(time.RFC3339); got != "2026-01-05T05:00:00Z" {
			t.Errorf("%s: from %s", c.from, got)
		}
		if got := q.Filter.To.Format(time.RFC3339); got != "2026-01-07T05:00:00Z" {
			t.Errorf("%s: to %s", c.to, got)
		}
		if v := q.Values(); v.Get("from") != "2026-01-05" || v.Get("to") != "2026-01-06" {
			t.Errorf("values %v", v)
		}
	}
	// The same day as both ends is that one day.
	q, err := ParseQuery(url.Values{"from": {"05/01/2026"}, "to": {"05/01/2026"}}, false)
	if err != nil || q.Filter.To.Sub(q.Filter.From) != 24*time.Hour {
		t.Errorf("one day: %v %v", q.Filter, err)
	}
	// The API also takes instants; "to" is then exclusive.
	q, err = ParseQuery(url.Values{"from": {"2026-01-05T10:00:00-05:00"}, "to": {"2026-01-05T16:00:00Z"}}, true)
	if err != nil || q.Filter.From.Format(time.RFC3339) != "2026-01-05T15:00:00Z" || q.Filter.To.Format(time.RFC3339) != "2026-01-05T16:00:00Z" {
		t.Errorf("instants: %v %v", q.Filter, err)
	}
}

func TestParseQueryRefuses(t *testing.T) {
	for _, c := range []struct {
		query string
		api   bool
		field string
	}{
		{"from=32/01/2026", false, "from"},
		{"to=2026-13-01", false, "to"},
		{"from=01/01/1900", false, "from"},
		{"from=06/01/2026&to=05/01/2026", false, "to"},
		{"outcome=ok,denied", false, "outcome"},
		{"record=" + url.QueryEscape("Juan Pérez"), false, "record"},
		{"action=" + strings.Repeat("a", 65), false, "action"},
		{"user=" + url.QueryEscape("x\x00y"), false, "user"},
		{"email=" + url.QueryEscape("a\nb@c.ec"), false, "email"},
		{"limit=0", true, "limit"},
		{"limit=1001", true, "limit"},
		{"offset=-5", true, "offset"},
		{"from=2026-01-05T10:00", true, "from"},
	} {
		v, _ := url.ParseQuery(c.query)
		_, err := ParseQuery(v, c.api)
		e, ok := errs.As(err)
		if !ok || e.Code != errs.CodeInvalid || e.Fields[c.field] == "" {
			t.Errorf("%s: want a field error on %s, got %v", c.query, c.field, err)
		}
	}
	// The HTML list forgives a bad page number.
	if q, err := ParseQuery(url.Values{"page": {"-3"}}, false); err != nil || q.Page != 1 || q.Filter.Offset != 0 {
		t.Errorf("bad page: %+v %v", q, err)
	}
	if q, _ := ParseQuery(url.Values{"page": {"3"}}, false); q.Filter.Offset != 2*PageSize || q.Filter.Limit != PageSize {
		t.Errorf("page 3: %+v", q.Filter)
	}
}

func TestDetailHasNoEmail(t *testing.T) {
	q, err := ParseQuery(url.Values{"email": {"Ana@Example.ec"}, "type": {"case"}, "outcome": {"denied"},
		"from": {"05/01/2026"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if q.Email != "ana@example.ec" {
		t.Errorf("email %q", q.Email)
	}
	q.Filter.ActorID, q.Email = "0192-user", "" // as the service resolves it
	if d := q.Detail(); d != "filter: user=0192-user type=case outcome=denied from=2026-01-05T05:00:00Z" {
		t.Errorf("detail %q", d)
	}
	if (Query{}).Detail() != "filter: none" {
		t.Error("empty detail")
	}
}

// FuzzParseQuery: any query string either parses into a filter whose detail the audit
// log accepts and whose values parse back to the same filter, or is refused with field
// errors; never a panic.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "user=u1&from=05/01/2026&to=2026-01-06", "record=c-1&action=case.view&outcome=ok",
		"limit=5&offset=10", "from=2026-01-05T10:00:00Z", "from=2026-01-05T10:00:00.25-05:00", "email=ana", "page=2", "to=31/12/9999", "from=%ff"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, api bool) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ParseQuery(v, api)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Code != errs.CodeInvalid || len(e.Fields) == 0 {
				t.Fatalf("%q: unexpected error %v", raw, err)
			}
			return
		}
		if d := q.Detail(); len(d) > audit.MaxDetail || strings.ContainsAny(d, "\x00\n\r") {
			t.Fatalf("%q: detail %q", raw, d)
		}
		back, err := ParseQuery(q.Values(), api)
		if err != nil {
			t.Fatalf("%q: values %v do not parse back: %v", raw, q.Values(), err)
		}
		if !back.Filter.From.Equal(q.Filter.From) || !back.Filter.To.Equal(q.Filter.To) ||
			back.Filter.ActorID != q.Filter.ActorID || back.Filter.RecordID != q.Filter.RecordID ||
			back.Filter.Action != q.Filter.Action || back.Email != q.Email {
			t.Fatalf("%q: round trip %+v -> %+v", raw, q, back)
		}
	})
}
