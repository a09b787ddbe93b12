package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
)

// Page sizes of list endpoints (DESIGN.md §4).
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// List is the body of every list response. Items is never null: an empty
// list encodes as []. NextCursor is "" on the last page.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// MarshalJSON encodes l with Items as [] when nil.
func (l List[T]) MarshalJSON() ([]byte, error) {
	type list List[T] // no methods: no recursion
	if l.Items == nil {
		l.Items = []T{}
	}
	return json.Marshal(list(l))
}

// ListParams reads ?limit= (default 50, 1..1000) and ?cursor= (opaque,
// returned as given; decode it with DecodeCursor). A bad limit is EINVALID
// naming the field "limit".
func ListParams(r *http.Request) (limit int, cursor string, err error) {
	q := r.URL.Query()
	limit = DefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return 0, "", fieldError("limit", "must be a whole number from 1 to "+strconv.Itoa(MaxLimit))
		}
		limit = n
	}
	cursor = q.Get("cursor")
	if len(cursor) > maxCursorLen {
		return 0, "", fieldError("cursor", "is not a cursor returned by this API")
	}
	return limit, cursor, nil
}

const maxCursorLen = 2048

// EncodeCursor packs the position of the next page (typically the sort key
// and id of the last item) into an opaque base64url token.
func EncodeCursor(parts ...string) string {
	if parts == nil {
		parts = []string{}
	}
	b, _ := json.Marshal(parts) // a []string always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor unpacks a cursor made by EncodeCursor with exactly n parts.
// A malformed or foreign cursor is EINVALID naming the field "cursor".
// DecodeCursor("", n) returns nil parts and no error: the first page.
func DecodeCursor(c string, n int) ([]string, error) {
	if c == "" {
		return nil, nil
	}
	bad := fieldError("cursor", "is not a cursor returned by this API")
	if len(c) > maxCursorLen {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != n {
		return nil, bad
	}
	return parts, nil
}
