package web

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// inexactMember returns the path of the first object member of raw that the type t
// (the value DecodeJSON decodes into) does not name exactly, or "". encoding/json
// matches member names without regard to case, so "Person" or "GIVEN_NAMES" would be
// taken for "person" and "given_names": the API promises to refuse members it does not
// know, and a spelling it does not document is one. Members of maps, of interfaces and
// of types that decode themselves are not judged. raw has passed CheckJSON.
func inexactMember(raw []byte, t reflect.Type) string {
	m := &memberWalk{dec: json.NewDecoder(bytes.NewReader(raw))}
	m.dec.UseNumber()
	if err := m.value(t, ""); err != nil {
		return ""
	}
	return m.found
}

type memberWalk struct {
	dec   *json.Decoder
	found string
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value reads one value that decodes into t (nil: not judged) at path.
func (m *memberWalk) value(t reflect.Type, path string) error {
	tok, err := m.dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		t = nil
	}
	switch d {
	case '{':
		var names map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			names = jsonNames(t)
		case t != nil && t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		for m.dec.More() {
			tok, err := m.dec.Token()
			if err != nil {
				return err
			}
			name, _ := tok.(string)
			ft := elem
			if names != nil {
				var ok bool
				if ft, ok = names[name]; !ok && m.found == "" {
					m.found = join(path, name)
				}
			}
			if err := m.value(ft, join(path, name)); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; m.dec.More(); i++ {
			if err := m.value(elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	_, err = m.dec.Token() // the closing delimiter
	return err
}

var namesCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonNames maps the member names encoding/json gives a struct type's fields (the tag's
// name, or the field's; fields of embedded structs without a tag promoted) to the
// fields' types. Go's rule for two fields of one name at different depths is not
// needed: the API's bodies have none.
func jsonNames(t reflect.Type) map[string]reflect.Type {
	if v, ok := namesCache.Load(t); ok {
		return v.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, typ := range jsonNames(ft) {
				if _, ok := out[n]; !ok {
					out[n] = typ
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	namesCache.Store(t, out)
	return out
}
