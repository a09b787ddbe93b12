package events

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/web"
)

// mergeRequest is the body of POST events/merge.
type mergeRequest struct {
	Keep  string   `json:"keep"`
	Merge []string `json:"merge"`
}

// linkRequest is the body of POST events/{id}/links.
type linkRequest struct {
	Other    string `json:"other"`
	Relation string `json:"relation"`
}

// deleteRequest is the (optional) body of DELETE events/{id}.
type deleteRequest struct {
	Reason string `json:"reason"`
}

// statsResponse is the body of GET events/stats.
type statsResponse struct {
	By       string     `json:"by"`
	Interval string     `json:"interval"`
	Items    []StatsRow `json:"items"`
}

// gridResponse is the body of GET events/grid.
type gridResponse struct {
	Zoom     int     `json:"zoom"`
	CellSize float64 `json:"cell_size"` // degrees
	Cells    []Cell  `json:"cells"`
}

// filterParams document the filters every event query takes.
var filterParams = []web.Param{
	{Name: "bbox", Description: "box minLon,minLat,maxLon,maxLat: events located in it"},
	{Name: "from", Description: "events ending at or after this instant (RFC 3339) or day (YYYY-MM-DD)"},
	{Name: "to", Description: "events starting at or before this instant (RFC 3339) or day (YYYY-MM-DD, inclusive)"},
	{Name: "type", Description: "event type or category code (e.g. battles.armed_clash, battles); repeatable or comma-separated"},
	{Name: "actor", Description: "an actor's name contains this (case and accents ignored)"},
	{Name: "status", Description: "reported, verified, disputed or rejected; repeatable or comma-separated"},
	{Name: "admin", Description: "admin 1 or admin 2 P-code"},
	{Name: "min_fatalities", Type: "integer", Description: "best fatalities at least this"},
	{Name: "q", Description: "full-text search of title, narrative, place and actors (every word, as a prefix)"},
}

func withParams(extra ...web.Param) []web.Param {
	return append(append([]web.Param(nil), filterParams...), extra...)
}

// Routes registers the events API (the pages are PageRoutes').
func (s *Service) Routes(r *web.Router) {
	tags := []string{"events"}
	base := "/api/v1/missions/{code}/events"
	r.API("GET "+base, web.Op{Summary: "List or export the events of a mission", Tags: tags, Response: Event{}, List: true,
		Description: "Newest first. With Accept: text/csv or application/geo+json, or ?format=csv|geojson|hxl, the whole filtered selection is streamed as a file instead of one page.",
		Query:       withParams(), Formats: []string{web.MediaCSV, web.MediaGeoJSON}}, s.handleList)
	r.API("POST "+base, web.Op{Summary: "Record an event", Tags: tags, Request: Event{}, Response: Event{}, Status: http.StatusCreated}, s.handleCreate)
	r.API("GET "+base+"/stats", web.Op{Summary: "Count events and fatalities by period and key", Tags: tags, Response: statsResponse{},
		Query: withParams(
			web.Param{Name: "by", Description: "admin1, admin2, type, category or actor (default: totals)"},
			web.Param{Name: "interval", Description: "week or month (default: the whole period)"}),
		Formats: []string{web.MediaCSV}}, s.handleStats)
	r.API("GET "+base+"/grid", web.Op{Summary: "Aggregate located events into map cells", Tags: tags, Response: gridResponse{},
		Query: withParams(web.Param{Name: "zoom", Type: "integer", Required: true, Description: fmt.Sprintf("map zoom 0..%d: cells are 360/2^(zoom+2) degrees", MaxZoom)})}, s.handleGrid)
	r.API("POST "+base+"/merge", web.Op{Summary: "Merge duplicate events into one", Tags: tags, Request: mergeRequest{}, Response: Event{}}, s.handleMerge)
	r.API("GET "+base+"/{id}", web.Op{Summary: "Get an event", Tags: tags, Response: Event{}}, s.handleGet)
	r.API("PATCH "+base+"/{id}", web.Op{Summary: "Change an event", Tags: tags, Request: Update{}, Response: Event{}, IfMatch: true}, s.handlePatch)
	r.API("DELETE "+base+"/{id}", web.Op{Summary: "Delete an event (soft, with a reason)", Tags: tags, Request: deleteRequest{}, Status: http.StatusNoContent, IfMatch: true,
		Description: "The reason comes in the JSON body {\"reason\"} or as ?reason=.",
		Query:       []web.Param{{Name: "reason", Description: "why the event is deleted (or in the body)"}}}, s.handleDelete)
	r.API("POST "+base+"/{id}/verify", web.Op{Summary: "Set the verification status of an event", Tags: tags, Request: Verify{}, Response: Event{}, IfMatch: true}, s.handleVerify)
	r.API("GET "+base+"/{id}/links", web.Op{Summary: "List the links of an event", Tags: tags, Response: Link{}, List: true}, s.handleLinks)
	r.API("POST "+base+"/{id}/links", web.Op{Summary: "Link an event to another", Tags: tags, Request: linkRequest{}, Response: Link{}, Status: http.StatusCreated}, s.handleLink)
}

// FilterFromQuery reads the event filters of a query string (see Routes),
// reporting every bad parameter at once. A bare day in to= means the end of
// that day.
func FilterFromQuery(q url.Values) (Filter, error) {
	var f Filter
	var p problems
	if v := q.Get("bbox"); v != "" {
		b, err := geo.ParseBBox(v)
		if err != nil {
			p = append(p, peaceops.ErrorFields(err)...)
		} else {
			f.BBox = &b
		}
	}
	var ok bool
	if f.From, ok = parseInstant(q.Get("from"), false); !ok {
		p.add("from", "must be an RFC 3339 date-time or a day YYYY-MM-DD")
	}
	if f.To, ok = parseInstant(q.Get("to"), true); !ok {
		p.add("to", "must be an RFC 3339 date-time or a day YYYY-MM-DD")
	}
	for _, t := range splitValues(q["type"]) {
		f.Types = append(f.Types, Type(t))
	}
	for _, st := range splitValues(q["status"]) {
		f.Status = append(f.Status, Status(st))
	}
	f.Actor, f.Admin, f.Query = strings.TrimSpace(q.Get("actor")), strings.TrimSpace(q.Get("admin")), q.Get("q")
	if v := q.Get("min_fatalities"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.add("min_fatalities", "must be a whole number")
		}
		f.MinFatalities = n
	}
	if err := peaceops.Invalid(p); err != nil {
		return Filter{}, err
	}
	return f, nil
}

// parseInstant parses an RFC 3339 instant or a day: midnight UTC, or the
// last millisecond of the day when endOfDay. "" gives the zero time.
func parseInstant(s string, endOfDay bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	if endOfDay {
		d = d.Add(24*time.Hour - time.Millisecond)
	}
	return d, true
}

// splitValues returns the non-empty items of repeated, comma-separated
// query values.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// queryErrors renames the fields of a Filter.Validate error after the query
// parameters they came from ("types[1]" is the parameter "type").
func queryErrors(err error) error {
	fields := peaceops.ErrorFields(err)
	if peaceops.ErrorCode(err) != peaceops.EINVALID || len(fields) == 0 {
		return err
	}
	out := make([]peaceops.FieldError, len(fields))
	for i, fe := range fields {
		name, _, _ := strings.Cut(fe.Field, "[")
		switch name {
		case "types":
			name = "type"
		case "query":
			name = "q"
		}
		out[i] = peaceops.FieldError{Field: name, Message: fe.Message}
	}
	return peaceops.Invalid(out)
}

// exportFormat returns the export the request asks for ("" for a JSON
// page): ?format= wins over Accept.
func exportFormat(r *http.Request) (string, error) {
	if f := strings.ToLower(r.URL.Query().Get("format")); f == ExportHXL {
		return ExportHXL, nil
	}
	switch web.Negotiate(r, web.MediaJSON, web.MediaCSV, web.MediaGeoJSON) {
	case web.MediaJSON:
		return "", nil
	case web.MediaCSV:
		return ExportCSV, nil
	case web.MediaGeoJSON:
		return ExportGeoJSON, nil
	}
	return "", peaceops.Invalid([]peaceops.FieldError{{Field: "format", Message: "must be one of: csv, geojson, hxl, json"}})
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if format != "" {
		return s.export(w, r, mission, format, f)
	}
	if f.Limit, f.Cursor, err = web.ListParams(r); err != nil {
		return err
	}
	items, next, err := s.FindEvents(r.Context(), mission, f)
	if err != nil {
		return queryErrors(err)
	}
	return web.JSON(w, http.StatusOK, web.List[*Event]{Items: items, NextCursor: next})
}

// export streams the whole filtered selection in format. The filter and
// the caller's access are checked before the first byte, so those errors
// still get a problem response.
func (s *Service) export(w http.ResponseWriter, r *http.Request, mission, format string, f Filter) error {
	ctx := r.Context()
	if _, err := clearance(peaceops.ActorFromContext(ctx), mission); err != nil {
		return err
	}
	check := f
	if err := check.Validate(); err != nil {
		return queryErrors(err)
	}
	name := strings.ToLower(mission) + "-events"
	h := w.Header()
	switch format {
	case ExportGeoJSON:
		h.Set("Content-Type", web.MediaGeoJSON)
		name += ".geojson"
	case ExportHXL:
		h.Set("Content-Type", "text/csv; charset=utf-8")
		name += ".hxl.csv"
	default:
		h.Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	}
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return Write(format, &flushWriter{w: w}, s.eventSeq(r, mission, f))
}

// eventSeq is the sequence of EachEvent for the writers.
func (s *Service) eventSeq(r *http.Request, mission string, f Filter) iter.Seq2[Event, error] {
	errStop := errors.New("stop")
	return func(yield func(Event, error) bool) {
		err := s.EachEvent(r.Context(), mission, f, func(e *Event) error {
			if !yield(*e, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(Event{}, err)
		}
	}
}

// flushWriter sends a streamed export on to the client every 64 KiB.
type flushWriter struct {
	w       http.ResponseWriter
	pending int
}

func (fw *flushWriter) Write(b []byte) (int, error) {
	n, err := fw.w.Write(b)
	if fw.pending += n; err == nil && fw.pending >= 64<<10 {
		fw.pending = 0
		err = http.NewResponseController(fw.w).Flush()
	}
	return n, err
}

var _ io.Writer = (*flushWriter)(nil)

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) error {
	var e Event
	if err := web.Decode(r, &e); err != nil {
		return err
	}
	mission := r.PathValue("code")
	e.ID, e.Mission, e.Version = "", mission, 0
	e.CreatedAt, e.UpdatedAt, e.DeletedAt, e.DeleteReason = time.Time{}, time.Time{}, nil, ""
	if err := s.CreateEvent(r.Context(), &e); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/missions/"+url.PathEscape(mission)+"/events/"+e.ID)
	web.SetETag(w, e.Version)
	return web.JSON(w, http.StatusCreated, e)
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	e, err := s.FindEventByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, e.Version)
	return web.JSON(w, http.StatusOK, e)
}

func (s *Service) handlePatch(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var upd Update
	if err := web.Decode(r, &upd); err != nil {
		return err
	}
	e, err := s.UpdateEvent(r.Context(), r.PathValue("code"), r.PathValue("id"), upd, version)
	if err != nil {
		return err
	}
	web.SetETag(w, e.Version)
	return web.JSON(w, http.StatusOK, e)
}

func (s *Service) handleDelete(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	reason := r.URL.Query().Get("reason")
	if r.ContentLength != 0 && r.Header.Get("Content-Type") != "" {
		var body deleteRequest
		if err := web.Decode(r, &body); err != nil {
			return err
		}
		if body.Reason != "" {
			reason = body.Reason
		}
	}
	if err := s.DeleteEvent(r.Context(), r.PathValue("code"), r.PathValue("id"), reason, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleVerify(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var v Verify
	if err := web.Decode(r, &v); err != nil {
		return err
	}
	e, err := s.VerifyEvent(r.Context(), r.PathValue("code"), r.PathValue("id"), v, version)
	if err != nil {
		return err
	}
	web.SetETag(w, e.Version)
	return web.JSON(w, http.StatusOK, e)
}

func (s *Service) handleMerge(w http.ResponseWriter, r *http.Request) error {
	var req mergeRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	e, err := s.MergeEvents(r.Context(), r.PathValue("code"), req.Keep, req.Merge)
	if err != nil {
		return err
	}
	web.SetETag(w, e.Version)
	return web.JSON(w, http.StatusOK, e)
}

func (s *Service) handleLinks(w http.ResponseWriter, r *http.Request) error {
	links, err := s.FindLinks(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[Link]{Items: links})
}

func (s *Service) handleLink(w http.ResponseWriter, r *http.Request) error {
	var req linkRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	mission, id := r.PathValue("code"), r.PathValue("id")
	if err := s.LinkEvents(r.Context(), mission, id, req.Other, req.Relation); err != nil {
		return err
	}
	links, err := s.FindLinks(r.Context(), mission, id)
	if err != nil {
		return err
	}
	for _, l := range links {
		if l.Event == id && l.Other == req.Other && l.Relation == req.Relation {
			return web.JSON(w, http.StatusCreated, l)
		}
	}
	return web.JSON(w, http.StatusCreated, Link{Event: id, Other: req.Other, Relation: req.Relation})
}

func (s *Service) handleStats(w http.ResponseWriter, r *http.Request) error {
	offer := web.Negotiate(r, web.MediaJSON, web.MediaCSV)
	if offer == "" {
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	q := StatsRequest{Filter: f, By: r.URL.Query().Get("by"), Interval: r.URL.Query().Get("interval")}
	mission := r.PathValue("code")
	rows, err := s.Stats(r.Context(), mission, q)
	if err != nil {
		return queryErrors(err)
	}
	if offer == web.MediaJSON {
		return web.JSON(w, http.StatusOK, statsResponse{By: q.By, Interval: q.Interval, Items: rows})
	}
	name := strings.ToLower(mission) + "-event-stats.csv"
	header := []string{"period", "key", "label", "events", "fatalities", "civilian_fatalities"}
	return web.WriteCSV(w, name, header, func(yield func([]string) error) error {
		for _, row := range rows {
			cells := []string{row.Period.String(), row.Key, row.Label, strconv.Itoa(row.Events),
				strconv.Itoa(row.Fatalities), strconv.Itoa(row.CivilianFatalities)}
			if err := yield(cells); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) handleGrid(w http.ResponseWriter, r *http.Request) error {
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	zs := r.URL.Query().Get("zoom")
	zoom, err := strconv.Atoi(zs)
	if err != nil {
		msg := "is required: a whole number from 0 to " + strconv.Itoa(MaxZoom)
		if zs != "" {
			msg = "must be a whole number from 0 to " + strconv.Itoa(MaxZoom)
		}
		return peaceops.Invalid([]peaceops.FieldError{{Field: "zoom", Message: msg}})
	}
	cells, err := s.Grid(r.Context(), r.PathValue("code"), f, zoom)
	if err != nil {
		return queryErrors(err)
	}
	return web.JSON(w, http.StatusOK, gridResponse{Zoom: zoom, CellSize: CellSize(zoom), Cells: cells})
}
