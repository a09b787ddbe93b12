package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
)

// Decode reads the JSON request body into v, a pointer. It is strict: the
// Content-Type must be application/json (or a +json type), unknown fields
// are rejected, the body may hold exactly one JSON value and is limited to
// the route's size limit. Errors are EINVALID and name the field where one is
// at fault ("start_date: ...", "count: must be an integer, not a string");
// a body over the limit is 413 and a wrong Content-Type 415.
func Decode(r *http.Request, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("web: Decode needs a non-nil pointer, got %T", v)
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	body := r.Body
	if info := infoFrom(r.Context()); info == nil || !info.limited {
		body = http.MaxBytesReader(nil, body, DefaultMaxBodyBytes)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return statusError(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", mb.Limit)
		}
		return fmt.Errorf("web: read request body: %w", err)
	}
	return decodeJSON(data, v)
}

func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return statusError(http.StatusUnsupportedMediaType, "", "Content-Type must be application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return statusError(http.StatusUnsupportedMediaType, "", "Content-Type must be application/json, not %q", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return statusError(http.StatusUnsupportedMediaType, "", "JSON must be UTF-8, not %q", cs)
	}
	return nil
}

// decodeJSON is Decode after the body is read: strict decoding and errors
// that name the field.
func decodeJSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return peaceops.Errorf(peaceops.EINVALID, "request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(data, v, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return peaceops.Errorf(peaceops.EINVALID, "malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

func decodeError(data []byte, v any, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return peaceops.Errorf(peaceops.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return peaceops.Errorf(peaceops.EINVALID, "malformed JSON: unexpected end of input")
	case errors.As(err, &typ) && typ.Field == "":
		return peaceops.Errorf(peaceops.EINVALID, "the body must be %s, not %s", jsonKind(typ.Type), article(typ.Value))
	case errors.As(err, &typ):
		return fieldError(typ.Field, fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type), article(typ.Value)))
	}
	// Unknown fields and errors of a type's own UnmarshalJSON or
	// UnmarshalText (peaceops.Date, Classification, time.Time) do not say
	// where they are: find the field by decoding the body again piece by
	// piece.
	if path, msg, ok := locate(data, reflect.TypeOf(v).Elem(), ""); ok {
		return fieldError(path, msg)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fieldError(strings.Trim(name, `"`), "unknown field")
	}
	return peaceops.Errorf(peaceops.EINVALID, "invalid JSON: %s", peaceops.ErrorMessage(asInvalid(err)))
}

func fieldError(field, msg string) error {
	return peaceops.Invalid([]peaceops.FieldError{{Field: field, Message: msg}})
}

// asInvalid keeps a *peaceops.Error's message and turns any other error
// from an unmarshaler into a plain message (it came from the client's
// input, not from the server).
func asInvalid(err error) error {
	var pe *peaceops.Error
	if errors.As(err, &pe) {
		return pe
	}
	return peaceops.Errorf(peaceops.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

var timeType = reflect.TypeFor[time.Time]()

// locate finds the first field of data (in document order) that does not
// decode into t, and says why. It follows objects into structs and arrays
// into slices, matching names as encoding/json does.
func locate(data []byte, t reflect.Type, path string) (string, string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !isComposite(t) {
		if err := json.Unmarshal(data, reflect.New(t).Interface()); err != nil {
			return path, leafMessage(t, err), path != ""
		}
		return "", "", false
	}
	switch t.Kind() {
	case reflect.Struct:
		return locateObject(data, t, path)
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return "", "", false
		}
		for i, item := range items {
			if p, msg, ok := locate(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, msg, ok
			}
		}
	case reflect.Map:
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) != nil {
			return "", "", false
		}
		for k, item := range m {
			if p, msg, ok := locate(item, t.Elem(), join(path, k)); ok {
				return p, msg, ok
			}
		}
	}
	return "", "", false
}

func locateObject(data []byte, t reflect.Type, path string) (string, string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", "", false
	}
	fields := jsonFields(t)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", "", false
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", "", false
		}
		f, ok := matchField(fields, key)
		if !ok {
			return join(path, key), "unknown field", true
		}
		if f.asString {
			continue
		}
		if p, msg, ok := locate(raw, f.typ, join(path, f.name)); ok {
			return p, msg, ok
		}
	}
	return "", "", false
}

func matchField(fields []jsonField, key string) (jsonField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// isComposite reports whether locate should look inside values of t rather
// than decode them whole.
func isComposite(t reflect.Type) bool {
	if t == timeType || implementsUnmarshaler(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Array:
		return true
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8 // []byte is base64 text
	}
	return false
}

func implementsUnmarshaler(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(reflect.TypeFor[json.Unmarshaler]()) || p.Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]())
}

func leafMessage(t reflect.Type, err error) string {
	var typ *json.UnmarshalTypeError
	switch {
	case t == timeType:
		return "must be a date-time in RFC 3339 form, e.g. 2024-05-01T14:30:00Z"
	case errors.As(err, &typ):
		return fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type), article(typ.Value))
	}
	return peaceops.ErrorMessage(asInvalid(err))
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonKind names the JSON form of a Go type for error messages.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	switch {
	case t == timeType:
		return "an RFC 3339 date-time string"
	case t == reflect.TypeFor[peaceops.Date]():
		return "a date string (YYYY-MM-DD)"
	case t == reflect.TypeFor[peaceops.Classification]():
		return "a classification string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a value"
}

// article turns encoding/json's value descriptions ("string", "number 1.5")
// into words.
func article(v string) string {
	kind, rest, _ := strings.Cut(v, " ")
	switch kind {
	case "bool":
		return "a boolean"
	case "array", "object":
		return "an " + kind
	case "number":
		if rest != "" {
			return "the number " + rest
		}
		return "a number"
	case "string":
		return "a string"
	}
	return v
}

// JSON writes v as a JSON response with the given status. v is encoded
// before anything is written, so an encoding failure is returned (and
// rendered as a 500) instead of leaving a half-written body. A 204 or 304
// status writes no body.
func JSON(w http.ResponseWriter, status int, v any) error {
	if status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("web: encode %T: %w", v, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"status":500,"title":"Internal Server Error","detail":"internal error"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
