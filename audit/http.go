package audit

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// Entry is an audit log entry as the API shows it: the stored row, its
// instant in RFC 3339.
type Entry struct {
	Seq        int64     `json:"seq"`
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	Actor      string    `json:"actor"`
	Mission    string    `json:"mission"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Action     string    `json:"action"`
	// Before and After are the record as it was and as it became (null
	// for a create's before, a delete's after, both for a read). Secret
	// fields show only whether they changed.
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

func entryOf(e store.AuditEntry) Entry {
	return Entry{
		Seq: e.Seq, ID: e.ID, At: store.FromMillis(e.At), ActorID: e.ActorID, Actor: e.Actor,
		Mission: e.Mission, EntityType: e.EntityType, EntityID: e.EntityID, Action: e.Action,
		Before: rawOrNull(e.Before), After: rawOrNull(e.After), PrevHash: e.PrevHash, Hash: e.Hash,
	}
}

// rawOrNull keeps a stored JSON text valid for re-encoding.
func rawOrNull(b []byte) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return json.RawMessage("null")
	}
	return b
}

// filterParams are the query parameters of the list route and page.
var filterParams = []web.Param{
	{Name: "mission", Description: "mission code"},
	{Name: "entity_type", Description: "e.g. mission, user, event"},
	{Name: "entity_id", Description: "the ID of one record"},
	{Name: "actor", Description: "username of the actor as recorded"},
	{Name: "actor_id", Description: "user ID of the actor"},
	{Name: "action", Description: "e.g. create, update, delete, read, login"},
	{Name: "from", Description: "entries at or after this instant: RFC 3339, or YYYY-MM-DD for the start of that day (UTC)"},
	{Name: "to", Description: "entries before this instant: RFC 3339, or YYYY-MM-DD for up to the end of that day (UTC)"},
}

// Routes registers the audit API (GET /api/v1/audit, GET
// /api/v1/audit/verify) and the pages /audit and /missions/{code}/audit.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"audit"}
	r.API("GET /api/v1/audit", web.Op{Summary: "List audit log entries, newest first", Tags: tags,
		Description: "Administrators see every entry; a mission-admin sees the entries of the missions they " +
			"administer (naming another mission is 404, or 403 for one they are a member of).",
		Response: Entry{}, List: true, Query: filterParams,
	}, s.handleList)
	r.API("GET /api/v1/audit/verify", web.Op{Summary: "Verify the hash chain of the audit log (administrators)", Tags: tags,
		Description: "Walks the whole log. A broken chain is not an error: the report names the first bad entry. " +
			"With seq and hash (a head recorded earlier, e.g. after a backup) it also checks that this head is " +
			"still part of the chain, which detects a truncated or rewritten tail.",
		Response: Report{},
		Query: []web.Param{
			{Name: "seq", Type: "integer", Description: "sequence number of a recorded head (with hash)"},
			{Name: "hash", Description: "hash of the recorded head, 64 hex digits (with seq)"},
		},
	}, s.handleVerify)
	newUI(s).routes(r)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r.URL.Query())
	if err != nil {
		return err
	}
	entries, next, err := s.FindEntries(r.Context(), f)
	if err != nil {
		return err
	}
	out := web.List[Entry]{Items: make([]Entry, len(entries))}
	for i, e := range entries {
		out.Items[i] = entryOf(e)
	}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (s *Service) handleVerify(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var rep Report
	var err error
	if q.Get("seq") == "" && q.Get("hash") == "" {
		rep, err = s.Verify(r.Context())
	} else {
		seq, perr := strconv.ParseInt(q.Get("seq"), 10, 64)
		if perr != nil {
			seq = 0 // reported by VerifyAgainst as field seq
		}
		rep, err = s.VerifyAgainst(r.Context(), seq, q.Get("hash"))
	}
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rep)
}

// filterOf reads a Filter from query parameters (those of filterParams,
// limit and cursor). It returns every problem at once as EINVALID.
func filterOf(q url.Values) (Filter, error) {
	f := Filter{
		Mission: strings.TrimSpace(q.Get("mission")), EntityType: strings.TrimSpace(q.Get("entity_type")),
		EntityID: strings.TrimSpace(q.Get("entity_id")), Actor: strings.TrimSpace(q.Get("actor")),
		ActorID: strings.TrimSpace(q.Get("actor_id")), Action: strings.TrimSpace(q.Get("action")),
	}
	var errs []peaceops.FieldError
	var err error
	if f.From, err = parseInstant(q.Get("from"), false); err != nil {
		errs = append(errs, peaceops.FieldError{Field: "from", Message: err.Error()})
	}
	if f.To, err = parseInstant(q.Get("to"), true); err != nil {
		errs = append(errs, peaceops.FieldError{Field: "to", Message: err.Error()})
	}
	if s := q.Get("limit"); s != "" {
		if f.Limit, err = strconv.Atoi(s); err != nil || f.Limit < 1 || f.Limit > MaxLimit {
			errs = append(errs, peaceops.FieldError{Field: "limit", Message: "must be a whole number from 1 to " + strconv.Itoa(MaxLimit)})
		}
	}
	if c := q.Get("cursor"); c != "" {
		parts, err := web.DecodeCursor(c, 1)
		if err != nil {
			errs = append(errs, peaceops.FieldError{Field: "cursor", Message: "is not a cursor returned by this API"})
		} else {
			f.Cursor = parts[0]
		}
	}
	if err := peaceops.Invalid(errs); err != nil {
		return Filter{}, err
	}
	return f, f.Validate()
}

// errInstant is the message of a from or to that does not parse.
type errInstant struct{}

func (errInstant) Error() string {
	return "must be a date (YYYY-MM-DD) or an RFC 3339 date-time such as 2024-05-01T14:30:00Z"
}

// parseInstant reads an RFC 3339 date-time or a date, which stands for the
// start of that day in UTC, or with end for the start of the next day (so
// that to=2024-05-01 includes all of 1 May). "" is the zero time.
func parseInstant(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errInstant{}
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}
