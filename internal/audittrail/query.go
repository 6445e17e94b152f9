package audittrail

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// PageSize is how many events one page of the HTML list shows.
const PageSize = 50

// The URL parameters a Query reads. The HTML list, the CSV export and the API share them,
// so a filtered list can be bookmarked, exported and fetched as JSON with the same query.
var queryParams = []string{"user", "email", "type", "record", "action", "outcome", "from", "to"}

// maxLen bounds each text parameter (bytes); the export's audit detail is built from
// them and must stay under audit.MaxDetail.
var maxLen = map[string]int{"user": 64, "email": 254, "type": 64, "record": 128, "action": 64}

// Query is a parsed filter request: the audit.Filter to run and what the page shows back.
type Query struct {
	Filter audit.Filter
	// Email is a free search for the acting user; the service turns it into
	// Filter.ActorID (an email never reaches the audit filter or the export detail).
	Email string
	// FromDay and ToDay are the period as typed (both days inclusive), for display;
	// zero when open.
	FromDay, ToDay time.Time
	Page           int // 1-based page of the HTML list
}

// ParseQuery reads the filter parameters of v. With api, the page is given by "limit"
// (1–audit.MaxLimit, default PageSize) and "offset"; otherwise by "page" (a bad page
// number means the first page). Bad input returns an errs.Invalid with one catalog key
// per field.
//
// Dates are days in the display zone (America/Guayaquil by default), typed dd/mm/yyyy
// or yyyy-mm-dd: "from" starts at 00:00 of its day and "to" includes its whole day, and
// both become a UTC range. For the API an RFC 3339 instant is accepted too; "to" is then
// exclusive.
func ParseQuery(v url.Values, api bool) (Query, error) {
	var q Query
	f := errs.Fields{}
	text := func(name string, ok func(string) bool, bad string) string {
		s := strings.TrimSpace(v.Get(name))
		switch {
		case len(s) > maxLen[name]:
			f.Add(name, "validation.too_long")
			return ""
		case !ok(s):
			f.Add(name, bad)
			return ""
		}
		return s
	}
	q.Filter.ActorID = text("user", idLike, "audittrail.bad_id")
	q.Email = strings.ToLower(text("email", printable, "audittrail.bad_text"))
	q.Filter.RecordType = text("type", idLike, "audittrail.bad_id")
	q.Filter.RecordID = text("record", idLike, "audittrail.bad_id")
	q.Filter.Action = text("action", idLike, "audittrail.bad_id")
	switch o := strings.TrimSpace(v.Get("outcome")); o {
	case "", audit.OutcomeOK, audit.OutcomeDenied, audit.OutcomeFailed:
		q.Filter.Outcome = o
	default:
		f.Add("outcome", "audittrail.bad_outcome")
	}
	var err error
	if q.Filter.From, q.FromDay, err = parseBound(v.Get("from"), api, false); err != nil {
		f.Add("from", "validation.date")
	}
	if q.Filter.To, q.ToDay, err = parseBound(v.Get("to"), api, true); err != nil {
		f.Add("to", "validation.date")
	}
	if !q.Filter.From.IsZero() && !q.Filter.To.IsZero() && !q.Filter.From.Before(q.Filter.To) {
		f.Add("to", "audittrail.to_before_from")
	}
	if api {
		q.Filter.Limit, q.Filter.Offset = PageSize, 0
		if s := v.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > audit.MaxLimit {
				f.Add("limit", "audittrail.bad_limit")
			}
			q.Filter.Limit = n
		}
		if s := v.Get("offset"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				f.Add("offset", "audittrail.bad_offset")
			}
			q.Filter.Offset = n
		}
	} else {
		q.Page, _ = strconv.Atoi(v.Get("page"))
		q.Page = max(q.Page, 1)
		q.Filter.Limit, q.Filter.Offset = PageSize, (q.Page-1)*PageSize
	}
	if err := f.Err(); err != nil {
		return q, err
	}
	return q, nil
}

// parseBound reads one end of the period. A day "to" moves to the start of the next
// day, since audit.Filter.To is exclusive. day is the day as typed, for display.
func parseBound(s string, api, end bool) (at, day time.Time, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, time.Time{}, nil
	}
	if api && strings.Contains(s, "T") {
		t, err := time.Parse(time.RFC3339, s)
		return t.UTC(), time.Time{}, err
	}
	d, err := i18n.ParseDate(s)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if d.Year() < 2000 || d.Year() > 9000 {
		return time.Time{}, time.Time{}, errs.Invalid(nil)
	}
	at = d
	if end {
		at = d.AddDate(0, 0, 1)
	}
	return at.UTC(), d, nil
}

// printable refuses control characters and invalid UTF-8: filter values are shown
// back, put in links and, for exports, written to the audit detail.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// idLike accepts what ids, record numbers, record types and actions are made of
// (letters, digits and . _ - :). Refusing spaces and the like keeps names typed into the
// wrong box out of the export's audit detail, which is kept for years.
func idLike(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '-' || c == ':') {
			return false
		}
	}
	return true
}

// Values returns the filter as URL parameters (ids, codes and yyyy-mm-dd days), without
// the page: the links of the pager, of the CSV export and of the API are built from it.
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("user", q.Filter.ActorID)
	if q.Filter.ActorID == "" {
		set("email", q.Email)
	}
	set("type", q.Filter.RecordType)
	set("record", q.Filter.RecordID)
	set("action", q.Filter.Action)
	set("outcome", q.Filter.Outcome)
	if !q.FromDay.IsZero() {
		v.Set("from", q.FromDay.Format(time.DateOnly))
	} else if !q.Filter.From.IsZero() {
		v.Set("from", q.Filter.From.Format(time.RFC3339Nano))
	}
	if !q.ToDay.IsZero() {
		v.Set("to", q.ToDay.Format(time.DateOnly))
	} else if !q.Filter.To.IsZero() {
		v.Set("to", q.Filter.To.Format(time.RFC3339Nano))
	}
	return v
}

// Detail describes the filter for the audit event of an export: field=value pairs of
// ids, codes and UTC instants only. The email search is never included; by then the
// service has resolved it to the user's id.
func (q Query) Detail() string {
	var parts []string
	add := func(k, s string) {
		if s != "" {
			parts = append(parts, k+"="+s)
		}
	}
	add("user", q.Filter.ActorID)
	add("type", q.Filter.RecordType)
	add("record", q.Filter.RecordID)
	add("action", q.Filter.Action)
	add("outcome", q.Filter.Outcome)
	if !q.Filter.From.IsZero() {
		add("from", q.Filter.From.UTC().Format(time.RFC3339))
	}
	if !q.Filter.To.IsZero() {
		add("to", q.Filter.To.UTC().Format(time.RFC3339))
	}
	if len(parts) == 0 {
		return "filter: none"
	}
	d := "filter: " + strings.Join(parts, " ")
	if len(d) > audit.MaxDetail { // cannot happen with maxLen; never fail the export on it
		d = d[:audit.MaxDetail]
	}
	return d
}

// Active reports whether any filter is set.
func (q Query) Active() bool { return len(q.Values()) > 0 }
