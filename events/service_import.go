package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// ImportOptions adjust Import.
type ImportOptions struct {
	// DryRun reads and checks everything and counts what would be
	// created, updated and left unchanged, but writes nothing.
	DryRun bool
	// Progress, when set, is called with the number of rows read so far,
	// every few hundred rows and once at the end of reading.
	Progress func(read int)
	// Name names the input (its file name) in the audit entry.
	Name string
}

// ImportResult counts what an import read and did. Errors lists every bad
// row when the import was refused.
type ImportResult struct {
	Read      int         `json:"read"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Errors    []*RowError `json:"errors,omitempty"`
}

// importSummary is the audit entry of one import.
type importSummary struct {
	Name      string   `json:"name,omitempty"`
	Sources   []string `json:"sources"`
	Read      int      `json:"read"`
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
}

// progressEvery is how many rows pass between Progress calls.
const progressEvery = 500

// maxRowFields caps the row problems carried by Import's EINVALID error
// (ImportResult.Errors has them all).
const maxRowFields = 100

// Import reads every event of r into mission, all or nothing. It reads the
// whole input first, collecting every bad row: if there is any, it returns
// EINVALID with result.Errors listing them all and writes nothing.
// Otherwise, in one transaction, it upserts each event on its provenance
// (mission, source, source_id): new provenance is created; an event whose
// source data changed since its last import is updated (keeping the
// mission's own status, verification and classification); an unchanged one
// (and one the mission deleted or merged away) is left alone, so importing
// the same file twice changes nothing the second time. Events with a
// location get admin areas by point-in-polygon. One audit entry (action
// "import") records the counts and sources.
//
// Import needs the "import" action on events of the mission (ENOTFOUND when
// the actor may not see it, EFORBIDDEN when they may see but not import).
func (s *Service) Import(ctx context.Context, mission string, r Reader, opts ImportOptions) (ImportResult, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionImport, access.Resource{Type: resourceType, Mission: mission, Classification: peaceops.Public}); err != nil {
		return ImportResult{}, err
	}
	evs, res, err := readImport(ctx, mission, r, opts)
	if err != nil || len(res.Errors) > 0 {
		return res, err
	}
	for _, e := range evs {
		if err := access.Check(actor, access.ActionImport, resource(e)); err != nil {
			return res, peaceops.Errorf(peaceops.EFORBIDDEN, "you may not import %s events", e.Classification)
		}
	}
	var host string
	if err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		host, err = findMissionHost(ctx, tx, mission)
		return err
	}); err != nil {
		return res, err
	}
	loc := s.newLocator(ctx, host)
	hashes := make([]string, len(evs))
	for i, e := range evs {
		if err := loc.assign(e); err != nil {
			return res, err
		}
		if hashes[i], err = fingerprint(e); err != nil {
			return res, err
		}
	}
	run := s.db.Update
	if opts.DryRun {
		run = s.db.View
	}
	err = run(ctx, func(tx *store.Tx) error {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
		return importEvents(ctx, tx, mission, evs, hashes, &res, opts)
	})
	if err != nil {
		return ImportResult{Read: res.Read}, err
	}
	return res, nil
}

// readImport reads r to the end: the good events (mission set, validated)
// and every row error. err is set only when the input cannot be read on.
func readImport(ctx context.Context, mission string, r Reader, opts ImportOptions) ([]*Event, ImportResult, error) {
	var res ImportResult
	var evs []*Event
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		res.Read++
		if opts.Progress != nil && res.Read%progressEvery == 0 {
			opts.Progress(res.Read)
		}
		if res.Read%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, res, err
			}
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			res.Errors = append(res.Errors, re)
			continue
		case err != nil:
			res.Read--
			if peaceops.ErrorCode(err) == peaceops.EINVALID {
				return nil, res, err
			}
			return nil, res, fmt.Errorf("events: import: %w", err)
		}
		e.Mission = mission
		normalize(&e)
		if err := e.Validate(); err != nil { // readers promise valid events: a safety net
			re := &RowError{Feature: res.Read - 1, Message: peaceops.ErrorMessage(err)}
			if f := peaceops.ErrorFields(err); len(f) > 0 {
				re.Field, re.Message = f[0].Field, f[0].Message
			}
			res.Errors = append(res.Errors, re)
			continue
		}
		evs = append(evs, &e)
	}
	if opts.Progress != nil {
		opts.Progress(res.Read)
	}
	if len(res.Errors) == 0 {
		return evs, res, nil
	}
	fields := make([]peaceops.FieldError, 0, min(len(res.Errors), maxRowFields))
	for _, re := range res.Errors[:min(len(res.Errors), maxRowFields)] {
		where := fmt.Sprintf("line %d", re.Line)
		if re.Line == 0 {
			where = fmt.Sprintf("feature %d", re.Feature)
		}
		if re.Field != "" {
			where += "." + re.Field
		}
		fields = append(fields, peaceops.FieldError{Field: where, Message: re.Message})
	}
	msg := fmt.Sprintf("%d of %d rows are bad (the first: %v): nothing was imported", len(res.Errors), res.Read, res.Errors[0])
	return nil, res, &peaceops.Error{Code: peaceops.EINVALID, Message: msg, Fields: fields}
}

// fingerprint hashes what an import says of e: everything but the
// mission's own bookkeeping and decisions.
func fingerprint(e *Event) (string, error) {
	c := *e
	c.ID, c.Mission, c.Status, c.Verification, c.Classification = "", "", "", nil, peaceops.Public
	c.CreatedAt, c.UpdatedAt, c.Version, c.DeletedAt, c.DeleteReason = time.Time{}, time.Time{}, 0, nil, ""
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("events: fingerprint: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// importEvents upserts evs into mission within tx and counts what it did
// (or, on a read-only transaction for a dry run, what it would do).
func importEvents(ctx context.Context, tx *store.Tx, mission string, evs []*Event, hashes []string, res *ImportResult, opts ImportOptions) error {
	bySource := map[string][]string{}
	for _, e := range evs {
		if e.SourceID != "" {
			bySource[e.Source] = append(bySource[e.Source], e.SourceID)
		}
	}
	sources := make([]string, 0, len(bySource))
	for src := range bySource {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	known := map[[2]string]existing{}
	for _, src := range sources {
		found, err := findByProvenance(ctx, tx, mission, src, bySource[src])
		if err != nil {
			return err
		}
		for sid, x := range found {
			known[[2]string{src, sid}] = x
		}
	}
	var create []*Event
	var createHashes []string
	var update []int
	for i, e := range evs {
		x, ok := known[[2]string{e.Source, e.SourceID}]
		switch {
		case !ok || e.SourceID == "":
			create = append(create, e)
			createHashes = append(createHashes, hashes[i])
		case x.deleted || x.importHash == hashes[i]:
			res.Unchanged++
		default:
			e.ID = x.id
			update = append(update, i)
		}
	}
	res.Created, res.Updated = len(create), len(update)
	if opts.DryRun {
		return nil
	}
	r := rollup{}
	for _, e := range create {
		e.ID = peaceops.NewIDAt(tx.Now)
		e.CreatedAt, e.UpdatedAt, e.Version = tx.Now, tx.Now, 1
		r.add(e, 1)
	}
	if err := insertEvents(ctx, tx, create, createHashes); err != nil {
		return err
	}
	for _, i := range update {
		e := evs[i]
		before, err := findEvent(ctx, tx, mission, e.ID)
		if err != nil {
			return err
		}
		e.Status, e.Verification, e.Classification = before.Status, before.Verification, before.Classification
		e.CreatedAt, e.UpdatedAt, e.Version = before.CreatedAt, tx.Now, before.Version+1
		after := stored{Event: e, importHash: hashes[i], mergedInto: before.mergedInto}
		if err := updateEvent(ctx, tx, after, !slices.Equal(before.Actors, e.Actors)); err != nil {
			return err
		}
		r.add(before.Event, -1)
		r.add(e, 1)
	}
	if err := r.apply(ctx, tx); err != nil {
		return err
	}
	sum := importSummary{Name: opts.Name, Sources: sources, Read: res.Read, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged}
	return tx.Audit(ctx, store.Change{Mission: mission, EntityType: resourceType, EntityID: strings.Join(sources, ","), Action: "import", After: sum})
}
