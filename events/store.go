package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
)

// eventCols are the columns of the events table that both engines share,
// in the order of eventArgs and scanEvent.
var eventCols = []string{
	"id", "mission", "type", "category", "title", "narrative", "start_at", "end_at", "date_precision",
	"lon", "lat", "location_precision", "place_name", "country",
	"admin1_pcode", "admin1_name", "admin2_pcode", "admin2_name", "source_admin1", "source_admin2",
	"fatalities_low", "fatalities_best", "fatalities_high", "civilian_low", "civilian_best", "civilian_high",
	"peacekeeper_low", "peacekeeper_best", "peacekeeper_high", "injuries_low", "injuries_best", "injuries_high",
	"status", "verified_by", "verified_at", "verify_reason", "classification",
	"source", "source_id", "source_attrs", "flags", "actors", "actor_names", "sources",
	"import_hash", "merged_into", "created_at", "updated_at", "version", "deleted_at", "delete_reason",
}

var (
	eventColumns   = "e." + strings.Join(eventCols, ", e.")
	insertEventSQL = `INSERT INTO events (` + strings.Join(eventCols, ", ") + `) VALUES `
	// updateEventSQL sets every column but id and mission from the
	// eventArgs placeholders, if the stored version is the previous one.
	// Every placeholder is used: PostgreSQL must infer each one's type.
	updateEventSQL = func() string {
		var set []string
		for i, c := range eventCols {
			if c == "id" || c == "mission" {
				continue
			}
			set = append(set, fmt.Sprintf("%s = $%d", c, i+1))
		}
		return fmt.Sprintf("UPDATE events SET %s WHERE id = $1 AND mission = $2 AND version = $%d", strings.Join(set, ", "), len(eventCols)+1)
	}()
)

// stored is an event with the bookkeeping columns that Event does not show.
type stored struct {
	*Event
	importHash string
	mergedInto string
}

type scanner interface{ Scan(dest ...any) error }

func scanEvent(s scanner) (stored, error) {
	var e Event
	var typ, category, datePrec, locPrec, status, verifiedBy, verifyReason string
	var lon, lat sql.NullFloat64
	var verifiedAt, deletedAt sql.NullInt64
	var class int
	var attrs, flags, actors, actorNames, sources, importHash, mergedInto string
	var start, end, created, updated int64
	err := s.Scan(&e.ID, &e.Mission, &typ, &category, &e.Title, &e.Narrative, &start, &end, &datePrec,
		&lon, &lat, &locPrec, &e.PlaceName, &e.Country,
		&e.Admin1.PCode, &e.Admin1.Name, &e.Admin2.PCode, &e.Admin2.Name, &e.SourceAdmin1, &e.SourceAdmin2,
		&e.Fatalities.Low, &e.Fatalities.Best, &e.Fatalities.High,
		&e.CivilianFatalities.Low, &e.CivilianFatalities.Best, &e.CivilianFatalities.High,
		&e.PeacekeeperFatalities.Low, &e.PeacekeeperFatalities.Best, &e.PeacekeeperFatalities.High,
		&e.Injuries.Low, &e.Injuries.Best, &e.Injuries.High,
		&status, &verifiedBy, &verifiedAt, &verifyReason, &class,
		&e.Source, &e.SourceID, &attrs, &flags, &actors, &actorNames, &sources,
		&importHash, &mergedInto, &created, &updated, &e.Version, &deletedAt, &e.DeleteReason)
	if err != nil {
		return stored{}, err
	}
	e.Type, e.DatePrecision, e.LocationPrecision = Type(typ), DatePrecision(datePrec), LocationPrecision(locPrec)
	e.Status, e.Classification = Status(status), peaceops.Classification(class)
	e.Start, e.End = store.FromMillis(start), store.FromMillis(end)
	e.CreatedAt, e.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	if lon.Valid && lat.Valid {
		e.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	if verifiedBy != "" || verifiedAt.Valid {
		e.Verification = &Verification{By: verifiedBy, Reason: verifyReason}
		if verifiedAt.Valid {
			e.Verification.At = store.FromMillis(verifiedAt.Int64)
		}
	}
	if deletedAt.Valid {
		t := store.FromMillis(deletedAt.Int64)
		e.DeletedAt = &t
	}
	for _, j := range []struct {
		text string
		v    any
	}{{attrs, &e.SourceAttrs}, {flags, &e.Flags}, {actors, &e.Actors}, {sources, &e.Sources}} {
		if err := json.Unmarshal([]byte(j.text), j.v); err != nil {
			return stored{}, fmt.Errorf("events: stored JSON of %s: %w", e.ID, err)
		}
	}
	normalize(&e)
	return stored{Event: &e, importHash: importHash, mergedInto: mergedInto}, nil
}

// normalize gives e's lists and maps their empty, non-nil form and its
// times their stored form (UTC milliseconds), so that an event reads back
// exactly as it was written.
func normalize(e *Event) {
	if e.Actors == nil {
		e.Actors = []ActorRef{}
	}
	if e.Sources == nil {
		e.Sources = []Source{}
	}
	if e.Flags == nil {
		e.Flags = []string{}
	}
	if e.SourceAttrs == nil {
		e.SourceAttrs = map[string]string{}
	}
	e.Start = e.Start.UTC().Truncate(time.Millisecond)
	e.End = e.End.UTC().Truncate(time.Millisecond)
	if e.Verification != nil {
		e.Verification.At = e.Verification.At.UTC().Truncate(time.Millisecond)
	}
}

// eventArgs returns the values of eventCols for e.
func eventArgs(e *Event, importHash, mergedInto string) ([]any, error) {
	var lon, lat any
	if e.Location != nil {
		lon, lat = e.Location.Lon, e.Location.Lat
	}
	var verifiedBy, verifyReason string
	var verifiedAt, deletedAt any
	if v := e.Verification; v != nil {
		verifiedBy, verifyReason = v.By, v.Reason
		if !v.At.IsZero() {
			verifiedAt = store.Millis(v.At)
		}
	}
	if e.DeletedAt != nil {
		deletedAt = store.Millis(*e.DeletedAt)
	}
	var texts [4]string
	for i, v := range []any{e.SourceAttrs, e.Flags, e.Actors, e.Sources} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("events: encode %s: %w", e.ID, err)
		}
		texts[i] = string(b)
	}
	names := make([]string, len(e.Actors))
	for i, a := range e.Actors {
		names[i] = a.Name
	}
	return []any{
		e.ID, e.Mission, string(e.Type), string(e.Type.Category()), e.Title, e.Narrative,
		store.Millis(e.Start), store.Millis(e.End), string(e.DatePrecision),
		lon, lat, string(e.LocationPrecision), e.PlaceName, e.Country,
		e.Admin1.PCode, e.Admin1.Name, e.Admin2.PCode, e.Admin2.Name, e.SourceAdmin1, e.SourceAdmin2,
		e.Fatalities.Low, e.Fatalities.Best, e.Fatalities.High,
		e.CivilianFatalities.Low, e.CivilianFatalities.Best, e.CivilianFatalities.High,
		e.PeacekeeperFatalities.Low, e.PeacekeeperFatalities.Best, e.PeacekeeperFatalities.High,
		e.Injuries.Low, e.Injuries.Best, e.Injuries.High,
		string(e.Status), verifiedBy, verifiedAt, verifyReason, int(e.Classification),
		e.Source, e.SourceID, texts[0], texts[1], texts[2], strings.Join(names, "\n"), texts[3],
		importHash, mergedInto, store.Millis(e.CreatedAt), store.Millis(e.UpdatedAt), e.Version, deletedAt, e.DeleteReason,
	}, nil
}

// findEvent returns the event id of mission, deleted or not: ENOTFOUND
// when there is none.
func findEvent(ctx context.Context, tx *store.Tx, mission, id string) (stored, error) {
	s, err := scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1 AND e.mission = $2`, id, mission))
	if errors.Is(err, sql.ErrNoRows) {
		return stored{}, notFound(id)
	} else if err != nil {
		return stored{}, fmt.Errorf("events: find %s: %w", id, err)
	}
	return s, nil
}

func notFound(id string) error { return peaceops.Errorf(peaceops.ENOTFOUND, "event %s not found", id) }

// findMissionHost returns the host country of mission: ENOTFOUND when there
// is no such mission. It reads the missions table directly (the one
// exception to "through the Service"): events need only this column, and
// the events table references missions(code) anyway.
func findMissionHost(ctx context.Context, tx *store.Tx, mission string) (string, error) {
	var host string
	err := tx.QueryRowContext(ctx, `SELECT host_country FROM missions WHERE code = $1`, mission).Scan(&host)
	if errors.Is(err, sql.ErrNoRows) {
		return "", peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
	} else if err != nil {
		return "", fmt.Errorf("events: mission %s: %w", mission, err)
	}
	return host, nil
}

// sqlArgs collects the arguments of a query and names their placeholders.
type sqlArgs struct{ args []any }

func (a *sqlArgs) add(v any) string {
	a.args = append(a.args, v)
	return "$" + strconv.Itoa(len(a.args))
}

func (a *sqlArgs) list(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = a.add(v)
	}
	return strings.Join(ph, ", ")
}

// conditions returns the WHERE conditions selecting the live events of
// mission that match f and are classified at most clearance, for the
// events table aliased e.
func conditions(d store.Dialect, a *sqlArgs, mission string, clearance peaceops.Classification, f *Filter) []string {
	w := []string{"e.mission = " + a.add(mission), "e.deleted_at IS NULL", "e.classification <= " + a.add(int(clearance))}
	if b := f.BBox; b != nil {
		// The R*Tree holds days: the window's days, widened by one so that
		// its float rounding never loses a row (the exact test follows).
		fromDay, toDay := -1e7, 1e7
		if !f.From.IsZero() {
			fromDay = float64(store.Millis(f.From))/dayMillis - 1
		}
		if !f.To.IsZero() {
			toDay = float64(store.Millis(f.To))/dayMillis + 1
		}
		w = append(w, d.PointInBoxDuring("events", "e", a.add(b.MinLon), a.add(b.MinLat), a.add(b.MaxLon), a.add(b.MaxLat), fromDay, toDay, a.add))
	}
	if !f.From.IsZero() {
		w = append(w, "e.end_at >= "+a.add(store.Millis(f.From)))
	}
	if !f.To.IsZero() {
		w = append(w, "e.start_at <= "+a.add(store.Millis(f.To)))
	}
	if types := expandTypes(f.Types); len(types) > 0 {
		w = append(w, "e.type IN ("+a.list(types)+")")
	}
	if actor := strings.TrimSpace(f.Actor); actor != "" {
		w = append(w, `EXISTS (SELECT 1 FROM event_actors a WHERE a.event_id = e.id AND a.name_key LIKE `+
			a.add("%"+store.EscapeLike(store.Fold(actor))+"%")+` ESCAPE '\')`)
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		w = append(w, "e.status IN ("+a.list(st)+")")
	}
	if f.Admin != "" {
		p := a.add(f.Admin)
		w = append(w, "(e.admin1_pcode = "+p+" OR e.admin2_pcode = "+p+")")
	}
	if f.MinFatalities > 0 {
		w = append(w, "e.fatalities_best >= "+a.add(f.MinFatalities))
	}
	if words := store.SearchWords(f.Query); len(words) > 0 {
		w = append(w, d.TextMatch("events", "e", a.add(d.TextQuery(words))))
	}
	return w
}

// expandTypes returns the type codes f.Types selects, category codes
// replaced by every type of the category.
func expandTypes(types []Type) []string {
	var out []string
	seen := map[Type]bool{}
	add := func(t Type) {
		if !seen[t] {
			seen[t] = true
			out = append(out, string(t))
		}
	}
	for _, t := range types {
		if t.Valid() {
			add(t)
			continue
		}
		for _, info := range taxonomy {
			if info.Category == Category(t) {
				add(info.Type)
			}
		}
	}
	return out
}

// position is a place in the list order (start_at desc, id desc).
type position struct {
	start int64
	id    string
}

// findEvents returns up to limit events matching f after pos (nil: from
// the start), newest first.
func findEvents(ctx context.Context, tx *store.Tx, mission string, clearance peaceops.Classification, f *Filter, after *position, limit int) ([]*Event, error) {
	a := &sqlArgs{}
	w := conditions(tx.Dialect(), a, mission, clearance, f)
	if after != nil {
		w = append(w, "(e.start_at, e.id) < ("+a.add(after.start)+", "+a.add(after.id)+")")
	}
	q := `SELECT ` + eventColumns + ` FROM events e WHERE ` + strings.Join(w, " AND ") +
		` ORDER BY e.start_at DESC, e.id DESC LIMIT ` + a.add(limit)
	rows, err := tx.QueryContext(ctx, q, a.args...)
	if err != nil {
		return nil, fmt.Errorf("events: find: %w", err)
	}
	defer rows.Close()
	out := []*Event{}
	for rows.Next() {
		s, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events: scan: %w", err)
		}
		out = append(out, s.Event)
	}
	return out, rows.Err()
}

// insertEvents inserts events (with their import fingerprints) in
// multi-row statements, and their actors.
func insertEvents(ctx context.Context, tx *store.Tx, evs []*Event, hashes []string) error {
	rows := make([][]any, len(evs))
	for i, e := range evs {
		h := ""
		if hashes != nil {
			h = hashes[i]
		}
		args, err := eventArgs(e, h, "")
		if err != nil {
			return err
		}
		rows[i] = args
	}
	mark, err := tx.LastSeq(ctx, "events")
	if err != nil {
		return fmt.Errorf("events: insert: %w", err)
	}
	if err := batchExec(ctx, tx, insertEventSQL, len(eventCols), "", rows, 64); err != nil {
		if store.IsForeignKeyViolation(err) {
			return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", evs[0].Mission)
		}
		if store.IsUniqueViolation(err) {
			return peaceops.Errorf(peaceops.ECONFLICT, "an event with the same source and source_id already exists in the mission")
		}
		return fmt.Errorf("events: insert: %w", err)
	}
	if err := tx.IndexNewRows(ctx, "events", mark, store.IndexOptions{Span: [2]string{"start_at", "end_at"},
		Text: []string{"title", "narrative", "place_name", "actor_names"}}); err != nil {
		return err
	}
	var actorRows [][]any
	for _, e := range evs {
		actorRows = append(actorRows, actorArgs(e)...)
	}
	if err := batchExec(ctx, tx, `INSERT INTO event_actors (event_id, role, name, name_key) VALUES `, 4, "", actorRows, 500); err != nil {
		return fmt.Errorf("events: insert actors: %w", err)
	}
	return nil
}

// actorArgs returns the event_actors rows of e, without repeats.
func actorArgs(e *Event) [][]any {
	var out [][]any
	seen := map[[2]string]bool{}
	for _, a := range e.Actors {
		k := [2]string{string(a.Role), a.Name}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, []any{e.ID, string(a.Role), a.Name, store.Fold(a.Name)})
	}
	return out
}

// updateEvent writes s if the stored version is still s.Version-1
// (EPRECONDITION otherwise), and its actors when they changed.
func updateEvent(ctx context.Context, tx *store.Tx, s stored, actorsChanged bool) error {
	args, err := eventArgs(s.Event, s.importHash, s.mergedInto)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, updateEventSQL, append(args, s.Version-1)...)
	if err != nil {
		return fmt.Errorf("events: update %s: %w", s.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("events: update %s: %w", s.ID, err)
	} else if n != 1 {
		return peaceops.Errorf(peaceops.EPRECONDITION, "event %s was changed by someone else: reload and try again", s.ID)
	}
	if !actorsChanged {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_actors WHERE event_id = $1`, s.ID); err != nil {
		return fmt.Errorf("events: actors of %s: %w", s.ID, err)
	}
	if err := batchExec(ctx, tx, `INSERT INTO event_actors (event_id, role, name, name_key) VALUES `, 4, "", actorArgs(s.Event), 500); err != nil {
		return fmt.Errorf("events: actors of %s: %w", s.ID, err)
	}
	return nil
}

// batchExec runs head + "($1, ...), (...)" + tail over rows of ncols
// values, up to batch rows per statement (as the dialect advises); full
// batches share one prepared statement.
func batchExec(ctx context.Context, tx *store.Tx, head string, ncols int, tail string, rows [][]any, batch int) error {
	batch = tx.Dialect().BatchRows(ncols, batch)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, batch*ncols)
	for i := 0; i < len(rows); i += batch {
		chunk := rows[i:min(i+batch, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		var err error
		if len(chunk) == batch {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, head+valuesList(ncols, batch)+tail); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, head+valuesList(ncols, len(chunk))+tail, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// valuesList returns "($1, $2), ($3, $4)" for ncols 2, nrows 2.
func valuesList(ncols, nrows int) string {
	var b strings.Builder
	n := 0
	for r := 0; r < nrows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < ncols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// existing is what an import needs to know of a stored event with a
// given provenance.
type existing struct {
	id         string
	importHash string
	deleted    bool
}

// findByProvenance returns the stored events of mission from source whose
// source ids are in ids, by source id.
func findByProvenance(ctx context.Context, tx *store.Tx, mission, source string, ids []string) (map[string]existing, error) {
	out := make(map[string]existing, len(ids))
	batch := tx.Dialect().BatchRows(1, 500)
	// source_id <> '' lets the plan use the partial provenance index.
	query := func(n int) string {
		a := &sqlArgs{}
		return `SELECT source_id, id, import_hash, deleted_at IS NOT NULL FROM events
			WHERE mission = ` + a.add(mission) + ` AND source = ` + a.add(source) + ` AND source_id <> ''
			AND source_id IN (` + a.list(make([]string, n)) + `)`
	}
	full, err := tx.PrepareContext(ctx, query(batch))
	if err != nil {
		return nil, fmt.Errorf("events: find by provenance: %w", err)
	}
	defer full.Close()
	args := make([]any, 0, batch+2)
	for i := 0; i < len(ids); i += batch {
		chunk := ids[i:min(i+batch, len(ids))]
		args = append(args[:0], mission, source)
		for _, id := range chunk {
			args = append(args, id)
		}
		var rows *sql.Rows
		if len(chunk) == batch {
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, query(len(chunk)), args...)
		}
		if err != nil {
			return nil, fmt.Errorf("events: find by provenance: %w", err)
		}
		for rows.Next() {
			var sid string
			var x existing
			if err := rows.Scan(&sid, &x.id, &x.importHash, &x.deleted); err != nil {
				rows.Close()
				return nil, fmt.Errorf("events: find by provenance: %w", err)
			}
			out[sid] = x
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("events: find by provenance: %w", err)
		}
	}
	return out, nil
}

// Link is a relation between two events of a mission.
type Link struct {
	Event     string    `json:"event"`
	Other     string    `json:"other"`
	Relation  string    `json:"relation"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func insertLink(ctx context.Context, tx *store.Tx, mission string, l Link) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO event_links (mission, event_id, other_id, relation, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, mission, l.Event, l.Other, l.Relation, l.CreatedBy, store.Millis(l.CreatedAt))
	if store.IsUniqueViolation(err) {
		return peaceops.Errorf(peaceops.ECONFLICT, "event %s is already linked to %s as %s", l.Event, l.Other, l.Relation)
	} else if err != nil {
		return fmt.Errorf("events: link %s: %w", l.Event, err)
	}
	return nil
}

// findLinks returns the links from or to id whose other event is
// classified at most clearance.
func findLinks(ctx context.Context, tx *store.Tx, mission, id string, clearance peaceops.Classification) ([]Link, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.event_id, l.other_id, l.relation, l.created_by, l.created_at
		FROM event_links l JOIN events o ON o.id = CASE WHEN l.event_id = $2 THEN l.other_id ELSE l.event_id END
		WHERE l.mission = $1 AND (l.event_id = $2 OR l.other_id = $2) AND o.classification <= $3
		ORDER BY l.created_at, l.event_id, l.other_id`, mission, id, int(clearance))
	if err != nil {
		return nil, fmt.Errorf("events: links of %s: %w", id, err)
	}
	defer rows.Close()
	out := []Link{}
	for rows.Next() {
		var l Link
		var at int64
		if err := rows.Scan(&l.Event, &l.Other, &l.Relation, &l.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("events: links of %s: %w", id, err)
		}
		l.CreatedAt = store.FromMillis(at)
		out = append(out, l)
	}
	return out, rows.Err()
}
