package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/text"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// TestFormInputRefused: a form value or query parameter holding NUL, another control
// character, invalid UTF-8 or a bidirectional override, and a field sent more than
// text.MaxList times, are refused with 422 naming the field, before any handler runs;
// ordinary Spanish text passes.
func TestFormInputRefused(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	cat := i18n.MustLoad()
	many := strings.Repeat("tag=x&", text.MaxList+1)
	for _, tc := range []struct {
		name, body, field, key string
	}{
		{"NUL", "name=Ana%00Mar%C3%ADa", "name", text.KeyControl},
		{"escape", "name=%1B%5B31m", "name", text.KeyControl},
		{"invalid UTF-8", "name=%FF%FE", "name", text.KeyEncoding},
		{"right-to-left override", "name=factura%E2%80%AEfdp.exe", "name", text.KeyBidi},
		{"left-to-right mark", "note=hola%E2%80%8E", "note", text.KeyBidi},
		{"bad field name", "na%00me=x", "body", text.KeyControl},
		{"unbounded list", many, "tag", text.KeyList},
		{"bad escape", "name=%zz", "body", "error.bad_request"},
	} {
		rec := f.post("/form", tc.body, "Accept-Language", "en")
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422\n%s", tc.name, rec.Code, rec.Body)
			continue
		}
		body := rec.Body.String()
		want := html.EscapeString(cat.T("en", tc.key))
		if !strings.Contains(body, `id="field-errors"`) || !strings.Contains(body, "<code>"+tc.field+"</code>: "+want) {
			t.Errorf("%s: the page does not name %s with %q", tc.name, tc.field, cat.T("en", tc.key))
		}
		if strings.Contains(body, "saved") {
			t.Errorf("%s: the handler ran", tc.name)
		}
		// The same refusal as JSON for a client that asks for it.
		rec = f.post("/form", tc.body, "Accept", "application/json")
		if b := decodeError(t, tc.name+" (JSON)", rec); b.Error.Code != "invalid" || b.Error.Fields[tc.field] != cat.T("es", tc.key) {
			t.Errorf("%s (JSON): %d %+v", tc.name, rec.Code, b.Error)
		}
	}
	if rec := f.get("/page?q=%E2%80%AEx"); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("bidi override in a query string: status %d, want 422", rec.Code)
	}
	if rec := f.post("/form", "name="+url.QueryEscape("José Ñandú\r\n\t“citas” — 👩🏽‍⚕️")+strings.Repeat("&tag=x", text.MaxList)); rec.Code != http.StatusOK {
		t.Errorf("ordinary text and a list of %d: status %d\n%s", text.MaxList, rec.Code, rec.Body)
	}
}

// postJSON sends body to /api/things with a content type.
func (f *stackFixture) postJSON(body, ctype string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/things", strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return f.do(req)
}

// TestJSONBodyRefused: DecodeJSON refuses, with 422 and the field named by its JSON
// path, what the decoder alone would have accepted or silently changed.
func TestJSONBodyRefused(t *testing.T) {
	f := newStackFixture(t, web.Options{})
	cat := i18n.MustLoad()
	docs := func(n int) string {
		return `{"docs":[` + strings.TrimSuffix(strings.Repeat(`{"number":"1"},`, n), ",") + `]}`
	}
	tags := func(n int) string {
		return `{"tags":[` + strings.TrimSuffix(strings.Repeat(`"sexual",`, n), ",") + `]}`
	}
	for _, tc := range []struct {
		name, body, ctype, field, key string
	}{
		{"invalid UTF-8", "{\"docs\":[{\"number\":\"1\"},{\"number\":\"\xff\"}]}", "", "docs[1].number", text.KeyEncoding},
		{"lone surrogate", `{"name":"a\ud800b"}`, "", "name", text.KeyEncoding},
		{"NUL escaped", `{"name":"a\u0000b"}`, "", "name", text.KeyControl},
		{"NUL raw", "{\"name\":\"a\x00b\"}", "", "body", "error.bad_request"}, // not JSON at all
		{"bidi override", `{"name":"x\u202ey"}`, "", "name", text.KeyBidi},
		{"bidi isolate raw", "{\"tags\":[\"ok\",\"\u2066x\u2069\"]}", "", "tags[1]", text.KeyBidi},
		{"bad member name", `{"na\u202eme":"x"}`, "", "body", text.KeyBidi},
		{"20,000 documents", docs(20000), "", "docs", text.KeyList},
		{"100,000 values", tags(100000), "", "tags", text.KeyList},
		{"trailing object", `{"name":"a"} {"name":"b"}`, "", "body", "error.json_trailing"},
		{"trailing garbage", `{"name":"a"}x`, "", "body", "error.json_trailing"},
		{"plain text", `{"name":"a"}`, "text/plain", "body", "error.json_content_type"},
		{"a form", `{"name":"a"}`, "application/x-www-form-urlencoded", "body", "error.json_content_type"},
		{"no content type", `{"name":"a"}`, "-", "body", "error.json_content_type"},
		{"unknown field", `{"nmae":"a"}`, "", "nmae", "error.json_unknown_field"},
		{"unknown nested field", `{"docs":[{"number":"1"},{"numbr":"2"}]}`, "", "docs[1].numbr", "error.json_unknown_field"},
		{"wrong type", `{"docs":[{"number":7}]}`, "", "docs.number", "error.json_type"},
		{"too deep", strings.Repeat("[", 100000) + strings.Repeat("]", 100000), "", "body", "error.bad_request"},
		{"empty", ``, "", "body", "error.bad_request"},
	} {
		ctype := tc.ctype
		switch ctype {
		case "":
			ctype = "application/json; charset=utf-8"
		case "-":
			ctype = ""
		}
		rec := f.postJSON(tc.body, ctype)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422\n%.300s", tc.name, rec.Code, rec.Body)
			continue
		}
		b := decodeError(t, tc.name, rec)
		if got, want := b.Error.Fields[tc.field], cat.T("es", tc.key); got != want {
			t.Errorf("%s: fields %v, want %s: %q", tc.name, b.Error.Fields, tc.field, want)
		}
	}
	// Accepted: what a real client sends, with emoji as surrogate pairs, a literal
	// replacement character, a list of exactly MaxList and a +json type.
	for _, body := range []string{
		`{"name":"Mariela \ud83d\ude00 Ñ \ufffd �","tags":["a"],"docs":[{"number":"1712345678"}],"count":3}`,
		tags(text.MaxList),
		"  {\"name\":\"línea\\nsegunda\\tcon tab\"}  \n",
	} {
		for _, ct := range []string{"application/json", "application/merge-patch+json"} {
			if rec := f.postJSON(body, ct); rec.Code != http.StatusCreated {
				t.Errorf("%.60s as %s: status %d\n%s", body, ct, rec.Code, rec.Body)
			}
		}
	}
	var got apiThing
	rec := f.postJSON(`{"name":"Ana \ud83d\ude00"}`, "application/json")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Name != "Ana 😀" {
		t.Errorf("decoded name %q (%v)", got.Name, err)
	}
}

// multipartBody is a form with one file and one text field.
func multipartBody(t *testing.T, field, filename string, data []byte, note string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if note != "" {
		if err := mw.WriteField("note", note); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// TestMultipartStaysInMemory: a file of 3 MiB sent as a form never reaches the
// temporary folder (ParseMultipartForm would spool it there, in clear, which the test
// checks first so it is known to catch it); bad text in its name or in the fields
// beside it is refused like any form; a file over the limit is 413.
func TestMultipartStaysInMemory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newFixture(t, web.Options{MaxBody: 16 << 20})
	wb := f.wb
	var seen []web.Upload
	var spooled int
	mux := http.NewServeMux()
	mux.Handle("POST /upload", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		vals, files, err := web.ReadMultipart(r, 4<<20)
		if err != nil {
			return err
		}
		seen = files
		entries, _ := os.ReadDir(tmp)
		spooled = len(entries)
		_, err = fmt.Fprintf(w, "%d files, note %q", len(files), vals.Get("note"))
		return err
	}))
	mux.Handle("POST /spool", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return err
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		entries, _ := os.ReadDir(tmp)
		spooled = len(entries)
		return nil
	}))
	h := wb.Stack(web.RecordRoute(mux), web.Options{MaxBody: 16 << 20})
	send := func(path string, body *bytes.Buffer, ct string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, body)
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	file := bytes.Repeat([]byte("%PDF scanned page "), (3<<20)/18)

	body, ct := multipartBody(t, "file", "cedula.pdf", file, "")
	if send("/spool", body, ct); spooled == 0 {
		t.Fatal("ParseMultipartForm did not spool 3 MiB to TMPDIR: the test would not catch it")
	}
	spooled = 0
	body, ct = multipartBody(t, "file", "cédula escaneada.pdf", file, "informe médico")
	rec := send("/upload", body, ct)
	if rec.Code != http.StatusOK || rec.Body.String() != `1 files, note "informe médico"` {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	if len(seen) != 1 || !bytes.Equal(seen[0].Data, file) || seen[0].Filename != "cédula escaneada.pdf" || seen[0].Field != "file" {
		t.Errorf("the file read is not the file sent: %d files", len(seen))
	}
	entries, _ := os.ReadDir(tmp)
	if spooled != 0 || len(entries) != 0 {
		t.Errorf("the upload left %d entries in TMPDIR while handled, %d after", spooled, len(entries))
	}

	for _, tc := range []struct{ name, filename, note, field string }{
		{"bidi file name", "factura\u202efdp.exe", "", "file"},
		{"NUL in a field", "a.pdf", "x\x00y", "note"},
	} {
		body, ct := multipartBody(t, "file", tc.filename, []byte("%PDF"), tc.note)
		rec := send("/upload", body, ct)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "<code>"+tc.field+"</code>") {
			t.Errorf("%s: status %d, want 422 naming %s", tc.name, rec.Code, tc.field)
		}
	}
	body, ct = multipartBody(t, "file", "big.pdf", make([]byte, 5<<20), "")
	if rec := send("/upload", body, ct); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a file over the limit: status %d, want 413", rec.Code)
	}
}
