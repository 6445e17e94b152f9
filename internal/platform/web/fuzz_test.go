package web_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/text"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// FuzzCheckJSON: the JSON walker never panics, and whatever it accepts decodes as JSON
// and holds only acceptable text.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"b"}`, `[1,2,3]`, `{"a":[{"b":"\u0000"}]}`, "{\"a\":\"\xff\"}",
		`{"a":"\ud800"}`, `{} {}`, `[[[[]]]]`, `"x"`, `{"a":"\u202e"}`, `{"a":1e999}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fields, err := web.CheckJSON(raw)
		if err != nil || fields != nil {
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // numbers are judged by the type they decode into
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("CheckJSON accepted %q, which does not decode: %v", raw, err)
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				if p := text.Problem(x); p != "" {
					t.Fatalf("CheckJSON accepted %q holding %q (%s)", raw, x, p)
				}
			case []any:
				if len(x) > text.MaxList {
					t.Fatalf("CheckJSON accepted a list of %d", len(x))
				}
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					walk(k)
					walk(e)
				}
			}
		}
		walk(v)
	})
}

// FuzzCheckValues: the form check never panics and accepts only acceptable text.
func FuzzCheckValues(f *testing.F) {
	for _, s := range []string{"a=b", "a=%00", "a=%FF", "a=%E2%80%AE", "a=1&a=2", "=x", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if web.CheckValues(v) != nil {
			return
		}
		for k, vals := range v {
			if text.Problem(k) != "" || len(vals) > text.MaxList {
				t.Fatalf("accepted field %q with %d values", k, len(vals))
			}
			for _, s := range vals {
				if text.Problem(s) != "" {
					t.Fatalf("accepted %q", s)
				}
			}
		}
	})
}
