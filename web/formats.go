package web

import (
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
)

// SetETag sets the strong ETag of a record at version: "v<version>".
func SetETag(w http.ResponseWriter, version int64) {
	w.Header().Set("ETag", `"v`+strconv.FormatInt(version, 10)+`"`)
}

// IfMatch returns the version named by the request's If-Match header. A
// missing header is EPRECONDREQ (428); anything but exactly one ETag made by
// SetETag (a list, "*", a weak tag) is EINVALID. The service compares the
// version with the stored one and returns EPRECONDITION (412) when stale.
func IfMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, peaceops.Errorf(peaceops.EPRECONDREQ, "If-Match header required: send the ETag of the version you are changing")
	}
	v, ok := strings.CutPrefix(h, `"v`)
	if ok {
		v, ok = strings.CutSuffix(v, `"`)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if !ok || err != nil || n < 0 || strconv.FormatInt(n, 10) != v {
		return 0, peaceops.Invalid([]peaceops.FieldError{{Field: "If-Match", Message: "must be one ETag returned by this API, like \"v3\""}})
	}
	return n, nil
}

// Media types offered by list and export endpoints.
const (
	MediaJSON    = "application/json"
	MediaCSV     = "text/csv"
	MediaGeoJSON = "application/geo+json"
)

var formatNames = map[string]string{"json": MediaJSON, "csv": MediaCSV, "geojson": MediaGeoJSON}

// Negotiate picks the response media type among offers (the first is the
// default). An explicit ?format=json|csv|geojson wins; otherwise the Accept
// header decides by q-value, and an Accept matching no offer gets the
// default (answering with JSON beats answering 406). Negotiate returns ""
// only when ?format= names something not offered: answer that with
// UnsupportedFormat(offers...).
func Negotiate(r *http.Request, offers ...string) string {
	if len(offers) == 0 {
		return ""
	}
	if f := r.URL.Query().Get("format"); f != "" {
		want := formatNames[strings.ToLower(f)]
		for _, o := range offers {
			if o == want {
				return o
			}
		}
		return ""
	}
	best, bestQ := offers[0], -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		if q <= 0 {
			continue
		}
		for _, o := range offers {
			if q > bestQ && mediaMatch(mt, o) {
				best, bestQ = o, q
			}
		}
	}
	return best
}

func mediaMatch(pattern, offer string) bool {
	if pattern == "*/*" || pattern == offer {
		return true
	}
	typ, sub, _ := strings.Cut(pattern, "/")
	return sub == "*" && strings.HasPrefix(offer, typ+"/")
}

// UnsupportedFormat is the error for a ?format= that Negotiate could not
// satisfy: EINVALID naming the field "format" and the formats offered.
func UnsupportedFormat(offers ...string) error {
	var names []string
	for name, mt := range formatNames {
		for _, o := range offers {
			if o == mt {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return fieldError("format", "must be one of: "+strings.Join(names, ", "))
}

// WriteCSV streams a CSV attachment: the header row, then each row that rows
// yields, flushed to the client as it goes so a large export starts at once
// and uses little memory. Cells that a spreadsheet would run as a formula
// (=, +, -, @ at the start, unless the cell is a number) are prefixed with
// an apostrophe. An error from rows after the first bytes were sent aborts
// the response (see HandlerFunc).
func WriteCSV(w http.ResponseWriter, filename string, header []string, rows func(yield func([]string) error) error) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": safeFilename(filename)}))
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	n := 0
	flush := func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		return http.NewResponseController(w).Flush()
	}
	err := rows(func(row []string) error {
		if err := cw.Write(defuse(row)); err != nil {
			return fmt.Errorf("web: write csv: %w", err)
		}
		if n++; n%500 == 0 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// defuse neutralises cells a spreadsheet would evaluate (CSV injection).
func defuse(row []string) []string {
	out := row
	for i, c := range row {
		if c == "" || !strings.ContainsAny(c[:1], "=+-@\t\r") {
			continue
		}
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			continue
		}
		if &out[0] == &row[0] {
			out = append([]string(nil), row...)
		}
		out[i] = "'" + c
	}
	return out
}

// safeFilename keeps a download name to letters, digits, dot, dash and
// underscore.
func safeFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "export.csv"
	}
	return b.String()
}
