package geo

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/peaceops/peaceops"
)

// FeatureReader reads the features of a GeoJSON FeatureCollection one at a
// time, so a large collection is never held in memory at once. Members of
// the collection other than "type" and "features" (name, crs, bbox...) are
// read and ignored. A FeatureReader is not safe for concurrent use.
type FeatureReader struct {
	dec      *json.Decoder
	n        int    // index of the next feature in the features array
	state    int    // readStart, readFeatures or readDone
	err      error  // a sticky error: the stream cannot be read further
	typ      string // the collection's "type", once seen
	features bool   // the "features" member was seen
}

const (
	readStart = iota
	readFeatures
	readDone
)

// NewFeatureReader returns a reader of the FeatureCollection in r.
func NewFeatureReader(r io.Reader) *FeatureReader {
	return &FeatureReader{dec: json.NewDecoder(r)}
}

// Next returns the next feature, validated, or io.EOF after the last one
// once the whole collection has been read and found well formed.
//
// A feature that is valid JSON but not a valid feature is reported as an
// EINVALID error such as "feature 12: geometry: polygon ring 0 has 3
// positions, need at least 4" (features count from 0, as in the array)
// carrying the field "features[12].geometry"; Next may then be called
// again to go on with feature 13, so a caller can report every bad feature
// at once. Malformed JSON, a collection of the wrong type or a read error
// stops the reader: every later call returns the same error.
func (r *FeatureReader) Next() (Feature, error) {
	if r.err != nil {
		return Feature{}, r.err
	}
	switch r.state {
	case readDone:
		return Feature{}, io.EOF
	case readStart:
		if err := r.readHead(); err != nil {
			r.err = err
			return Feature{}, err
		}
	}
	if r.state == readFeatures && r.dec.More() {
		return r.readFeature()
	}
	if err := r.readTail(); err != nil {
		r.err = err
		return Feature{}, err
	}
	r.state = readDone
	return Feature{}, io.EOF
}

// readHead reads up to the opening bracket of the features array, or to
// the end of a collection without one.
func (r *FeatureReader) readHead() error {
	tok, err := r.dec.Token()
	if err != nil {
		return r.jsonError("", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return peaceops.Errorf(peaceops.EINVALID, "want a GeoJSON FeatureCollection object, found %s", describeToken(tok))
	}
	more, err := r.readMembers()
	if err != nil {
		return err
	}
	if more {
		r.state = readFeatures
	}
	return nil
}

// readMembers reads members of the top-level object until it meets the
// features array (more is true, the cursor is inside the array) or the
// end of the object.
func (r *FeatureReader) readMembers() (more bool, err error) {
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return false, r.jsonError("", err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var v any
			if err := r.dec.Decode(&v); err != nil {
				return false, r.jsonError("", err)
			}
			if s, ok := v.(string); !ok || s != "FeatureCollection" {
				return false, peaceops.Errorf(peaceops.EINVALID, "type is %s, want \"FeatureCollection\"", describeValue(v))
			}
			r.typ = "FeatureCollection"
		case "features":
			if r.features {
				return false, peaceops.Errorf(peaceops.EINVALID, "the features member appears twice")
			}
			r.features = true
			tok, err := r.dec.Token()
			if err != nil {
				return false, r.jsonError("", err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return false, peaceops.Errorf(peaceops.EINVALID, "features must be an array, found %s", describeToken(tok))
			}
			return true, nil
		default:
			var skip json.RawMessage
			if err := r.dec.Decode(&skip); err != nil {
				return false, r.jsonError("", err)
			}
		}
	}
	return false, nil
}

// readTail reads from the end of the features array (or of the object) to
// the end of the input.
func (r *FeatureReader) readTail() error {
	if r.state == readFeatures {
		if _, err := r.dec.Token(); err != nil { // the closing ']'
			return r.jsonError("", err)
		}
		more, err := r.readMembers()
		if err != nil {
			return err
		}
		if more {
			return peaceops.Errorf(peaceops.EINVALID, "the features member appears twice")
		}
	}
	if _, err := r.dec.Token(); err != nil { // the closing '}'
		return r.jsonError("", err)
	}
	if tok, err := r.dec.Token(); err != io.EOF {
		if err != nil {
			return r.jsonError("", err)
		}
		return peaceops.Errorf(peaceops.EINVALID, "unexpected %s after the FeatureCollection", describeToken(tok))
	}
	switch {
	case r.typ == "":
		return peaceops.Errorf(peaceops.EINVALID, "missing type (want \"FeatureCollection\")")
	case !r.features:
		return peaceops.Errorf(peaceops.EINVALID, "missing features (want an array, possibly empty)")
	}
	return nil
}

func (r *FeatureReader) readFeature() (Feature, error) {
	n := r.n
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		r.err = r.jsonError(fmt.Sprintf("feature %d: ", n), err)
		return Feature{}, r.err
	}
	r.n++
	f, fe := decodeFeature(raw)
	if fe != nil {
		return Feature{}, featureError(n, fe.Field, fe.Message)
	}
	return f, nil
}

// featureError reports a problem with member field of feature n, e.g.
// "feature 12: geometry: ..." with the field "features[12].geometry".
func featureError(n int, field, msg string) error {
	path := fmt.Sprintf("features[%d]", n)
	label := fmt.Sprintf("feature %d", n)
	if field != "feature" && field != "" {
		path += "." + field
		label += ": " + field
	}
	return &peaceops.Error{Code: peaceops.EINVALID, Message: label + ": " + msg,
		Fields: []peaceops.FieldError{{Field: path, Message: msg}}}
}

// jsonError turns a decoder error into EINVALID for malformed input,
// keeping read errors of the underlying reader as they are.
func (r *FeatureReader) jsonError(prefix string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return peaceops.Errorf(peaceops.EINVALID, "%sinvalid JSON at byte %d: %s", prefix, se.Offset, se.Error())
	case errors.As(err, &te):
		return peaceops.Errorf(peaceops.EINVALID, "%sinvalid JSON at byte %d: %s", prefix, te.Offset, te.Error())
	case errors.Is(err, io.EOF) && r.dec.InputOffset() == 0:
		return peaceops.Errorf(peaceops.EINVALID, "the input is empty: want a GeoJSON FeatureCollection")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return peaceops.Errorf(peaceops.EINVALID, "%sunexpected end of input: the GeoJSON is truncated", prefix)
	}
	return fmt.Errorf("geo: read GeoJSON: %s%w", prefix, err)
}

func describeToken(tok json.Token) string {
	if d, ok := tok.(json.Delim); ok {
		return fmt.Sprintf("%q", string(d))
	}
	return describeValue(tok)
}

func describeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", v)
	case bool, float64, json.Number:
		return fmt.Sprint(v)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// FeatureWriter writes a GeoJSON FeatureCollection feature by feature, so
// an export of any size streams in constant memory. Output is buffered:
// Close (or Flush) writes it out. A FeatureWriter is not safe for
// concurrent use.
type FeatureWriter struct {
	w       *bufio.Writer
	buf     []byte
	n       int
	started bool
	closed  bool
	err     error // sticky write error
}

// NewFeatureWriter returns a writer of one FeatureCollection to w.
func NewFeatureWriter(w io.Writer) *FeatureWriter {
	return &FeatureWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write appends f to the collection. A feature that cannot be written (an
// invalid geometry, an ID that is neither string nor number, properties
// that do not marshal) returns an error and writes nothing, so the
// collection stays well formed and the caller may go on; an error of the
// underlying writer is returned by every later call.
func (w *FeatureWriter) Write(f Feature) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("geo: write to a closed FeatureWriter")
	}
	b, err := appendFeature(w.buf[:0], &f)
	if err != nil {
		return err
	}
	w.buf = b
	w.start()
	if w.n > 0 {
		w.w.WriteByte(',')
	}
	w.w.WriteByte('\n')
	if _, err := w.w.Write(b); err != nil {
		w.err = fmt.Errorf("geo: write GeoJSON: %w", err)
		return w.err
	}
	w.n++
	return nil
}

func (w *FeatureWriter) start() {
	if !w.started {
		w.started = true
		w.w.WriteString(`{"type":"FeatureCollection","features":[`)
	}
}

// Count returns the number of features written so far.
func (w *FeatureWriter) Count() int { return w.n }

// Flush writes buffered output to the underlying writer (an HTTP handler
// may flush between pages of a long export).
func (w *FeatureWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		w.err = fmt.Errorf("geo: write GeoJSON: %w", err)
	}
	return w.err
}

// Close ends the collection (an empty one when nothing was written) and
// flushes it. It does not close the underlying writer. Closing twice is a
// no-op.
func (w *FeatureWriter) Close() error {
	if w.err != nil || w.closed {
		return w.err
	}
	w.closed = true
	w.start()
	w.w.WriteString("\n]}\n")
	if err := w.w.Flush(); err != nil {
		w.err = fmt.Errorf("geo: write GeoJSON: %w", err)
	}
	return w.err
}
