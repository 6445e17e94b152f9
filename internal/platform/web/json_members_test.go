package web_test

import (
	"net/http"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// TestJSONMembersExact: Go's decoder matches member names without regard to case and
// keeps the last of two members of one name, so {"Name": …} or {"name": "a", "name": "b"}
// passed where the API promises to refuse unknown members, and a body could say two
// things at once (a proxy or log reading the first, Amparo the last). Both are refused
// with 422 naming the member; the exact spelling is accepted.
func TestJSONMembersExact(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	cat := i18n.MustLoad()
	for _, tc := range []struct {
		name, body, field, key string
	}{
		{"capitalised", `{"Name":"a"}`, "Name", "error.json_unknown_field"},
		{"upper case nested", `{"docs":[{"number":"1"},{"NUMBER":"2"}]}`, "docs[1].NUMBER", "error.json_unknown_field"},
		{"a list's name in another case", `{"name":"a","TAGS":["x"]}`, "TAGS", "error.json_unknown_field"},
		{"named twice", `{"name":"a","name":"b"}`, "name", "error.json_duplicate"},
		{"named twice nested", `{"docs":[{"number":"1","number":"2"}]}`, "docs[0].number", "error.json_duplicate"},
		{"named twice in two cases", `{"name":"a","Name":"b"}`, "Name", "error.json_unknown_field"},
	} {
		rec := f.postJSON(tc.body, "application/json")
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422\n%.300s", tc.name, rec.Code, rec.Body)
			continue
		}
		b := decodeError(t, tc.name, rec)
		if got, want := b.Error.Fields[tc.field], cat.T("es", tc.key); got != want || len(b.Error.Fields) != 1 {
			t.Errorf("%s: fields %v, want %s: %q", tc.name, b.Error.Fields, tc.field, want)
		}
	}
	if rec := f.postJSON(`{"name":"a","tags":["x"],"docs":[{"number":"1"}],"count":2}`, "application/json"); rec.Code != http.StatusCreated {
		t.Errorf("exact names: status %d, want 201\n%.300s", rec.Code, rec.Body)
	}
}
