package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

// maxJSONDepth bounds how deeply a JSON body may nest. The deepest API body has three
// levels (a case's person's documents); a body of a million "[" must not recurse a
// million times.
const maxJSONDepth = 16

// decodeJSON reads a JSON request body into v. Before decoding it walks the body as
// sent, so what it refuses is exactly what the client wrote: a body that is not sent as
// application/json, any string (value or member name) that is not acceptable text
// (text.Problem, which catches invalid UTF-8 the decoder would silently replace), any
// array longer than text.MaxList, nesting deeper than maxJSONDepth, a member named twice
// in one object, and anything after the first value. Then it decodes, refusing unknown
// members (also a known name in another case: the decoder would take "Name" for "name")
// and values of the wrong type. Every refusal is 422 with the field named by its JSON path
// ("person.documents[3].number"); a body over the size limit is 413.
func decodeJSON(r *http.Request, v any) error {
	if !isJSON(r.Header.Get("Content-Type")) {
		return errs.Invalid(map[string]string{"body": "error.json_content_type"})
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errs.New(errs.CodeTooLarge, "error.too_large")
		}
		return errs.Invalid(map[string]string{"body": "error.bad_request"}).Wrap(err)
	}
	if fields, err := CheckJSON(raw); err != nil {
		return errs.Invalid(map[string]string{"body": "error.bad_request"}).Wrap(err)
	} else if fields != nil {
		return errs.Invalid(fields)
	}
	if p := inexactMember(raw, reflect.TypeOf(v)); p != "" {
		return errs.Invalid(map[string]string{p: "error.json_unknown_field"})
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.Invalid(map[string]string{decodeErrorField(raw, err): decodeErrorKey(err)}).Wrap(err)
	}
	return nil
}

// isJSON reports whether a Content-Type names JSON: application/json or a
// application/*+json type, with any parameters.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// decodeErrorField names the field a decoding error is about: the member the decoder
// did not know (by its path in raw, "person.favourite_colour", since the decoder only
// gives its name), the path of a value of the wrong type, or "body".
func decodeErrorField(raw []byte, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if s, err := strconv.Unquote(name); err == nil && s != "" {
			w := &jsonWalker{raw: raw, dec: json.NewDecoder(bytes.NewReader(raw)), find: s}
			if w.value("", 0); w.found != "" {
				return w.found
			}
			return s
		}
	}
	return "body"
}

func decodeErrorKey(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return "error.json_type"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "error.json_unknown_field"
	}
	return "error.bad_request"
}

// CheckJSON walks one JSON document and returns the field errors of its content (see
// decodeJSON), or an error when it is not JSON at all.
func CheckJSON(raw []byte) (map[string]string, error) {
	w := &jsonWalker{raw: raw, dec: json.NewDecoder(bytes.NewReader(raw))}
	w.dec.UseNumber()
	if err := w.value("", 0); err != nil {
		return nil, err
	}
	if tok, err := w.dec.Token(); err != io.EOF {
		if err == nil || tok != nil || !errors.Is(err, io.EOF) {
			w.add("body", "error.json_trailing")
		}
	}
	if w.fields == nil {
		return nil, nil
	}
	return w.fields, nil
}

// jsonWalker reads a document token by token, remembering where each token starts in
// the raw bytes so a string's original encoding can be judged.
type jsonWalker struct {
	raw    []byte
	dec    *json.Decoder
	fields errs.Fields
	find   string // a member name whose first path is wanted in found
	found  string
}

func (w *jsonWalker) add(field, key string) {
	if w.fields == nil {
		w.fields = errs.Fields{}
	}
	if len(w.fields) < maxFieldErrors {
		w.fields.Add(field, key)
	}
}

// token reads the next token and judges it when it is a string.
func (w *jsonWalker) token(path string) (json.Token, error) {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	if s, ok := tok.(string); ok {
		if key := w.judge(s, w.raw[start:w.dec.InputOffset()]); key != "" {
			w.add(fieldName(path), key)
		}
	}
	return tok, nil
}

// judge returns the problem of a decoded string s whose source bytes (with the
// separators before it) are src. The decoder replaces invalid UTF-8 and lone UTF-16
// surrogates ("\ud800") with U+FFFD; a U+FFFD that the client did not write is an
// encoding error.
func (w *jsonWalker) judge(s string, src []byte) string {
	if !utf8.Valid(src) {
		return text.KeyEncoding
	}
	if strings.ContainsRune(s, utf8.RuneError) && !bytes.Contains(src, []byte("\uFFFD")) &&
		!bytes.Contains(bytes.ToLower(src), []byte(`\ufffd`)) {
		return text.KeyEncoding
	}
	return text.Problem(s)
}

// value reads one value at path.
func (w *jsonWalker) value(path string, depth int) error {
	if depth > maxJSONDepth {
		return errors.New("web: JSON nested too deeply")
	}
	tok, err := w.token(path)
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for w.dec.More() {
			tok, err := w.token(path)
			if err != nil {
				return err
			}
			name, _ := tok.(string)
			if seen[name] {
				// The decoder keeps the last one silently; another reader may keep the first.
				w.add(join(path, name), "error.json_duplicate")
			}
			seen[name] = true
			if w.find != "" && name == w.find && w.found == "" {
				w.found = join(path, name)
			}
			if err := w.value(join(path, name), depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; w.dec.More(); i++ {
			if i == text.MaxList {
				w.add(fieldName(path), text.KeyList)
			}
			if i >= text.MaxList { // skip the rest unjudged: the list is refused anyway
				var skip json.RawMessage
				if err := w.dec.Decode(&skip); err != nil {
					return err
				}
				continue
			}
			if err := w.value(path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
	}
	_, err = w.dec.Token() // the closing delimiter
	return err
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func fieldName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
