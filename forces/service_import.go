package forces

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// ImportOptions steer an import.
type ImportOptions struct {
	// Mission limits the import to that mission's rows ("" imports every
	// mission of the file that exists in the database).
	Mission string
	// Source is the provenance stored with the rows (the file name).
	Source string
	DryRun bool
}

// ImportResult says what an import did or would do.
type ImportResult struct {
	Read     int         `json:"read"`     // rows (returns or fatalities) read from the file
	Imported int         `json:"imported"` // rows written
	Skipped  int         `json:"skipped"`  // rows of other missions, or already imported
	Missions []string    `json:"missions"` // missions written
	Absent   []string    `json:"absent"`   // missions of the file not in the database (their rows skipped)
	Errors   []*RowError `json:"errors"`
}

// missionsToImport decides which of the file's missions are imported: the
// one asked for, or every one that exists. The caller needs the import
// grant on each.
func (s *Service) missionsToImport(ctx context.Context, tx *store.Tx, inFile []string, only string) (keep map[string]bool, absent []string, err error) {
	keep = map[string]bool{}
	for _, m := range inFile {
		if only != "" && m != only {
			continue
		}
		ok, err := missionExists(ctx, tx, m)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			absent = append(absent, m)
			continue
		}
		if err := check(ctx, access.ActionImport, countsRes(m)); err != nil {
			return nil, nil, err
		}
		keep[m] = true
	}
	if only != "" && !keep[only] {
		if len(absent) > 0 {
			return nil, nil, peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", only)
		}
		if err := check(ctx, access.ActionImport, countsRes(only)); err != nil {
			return nil, nil, err
		}
	}
	return keep, absent, nil
}

// ImportContributions reads an IPI contributions file (ReadContributions)
// and stores its returns, all or nothing: a file with any bad row writes
// nothing and the result lists every bad row (EINVALID). The returns of a
// mission-month in the file replace those stored for it, so importing the
// same file twice changes nothing. One audit entry per mission records the
// import.
func (s *Service) ImportContributions(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	if opts.Mission != "" {
		if err := check(ctx, access.ActionImport, countsRes(opts.Mission)); err != nil {
			return res, err
		}
	} else if peaceops.ActorFromContext(ctx).Anonymous() {
		return res, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	rows, rowErrs, err := ReadContributions(r, opts.Source)
	res.Read, res.Errors = len(rows), rowErrs
	if err != nil {
		return res, err
	}
	if len(rowErrs) > 0 {
		return res, errRowsRefused(rowErrs)
	}
	var inFile []string
	for _, r := range rows {
		if !slices.Contains(inFile, r.Mission) {
			inFile = append(inFile, r.Mission)
		}
	}
	slices.Sort(inFile)
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		keep, absent, err := s.missionsToImport(ctx, tx, inFile, opts.Mission)
		if err != nil {
			return err
		}
		res.Absent = absent
		byMission := map[string][]Return{}
		months := map[string]map[Month]bool{}
		for _, r := range rows {
			if !keep[r.Mission] {
				res.Skipped++
				continue
			}
			byMission[r.Mission] = append(byMission[r.Mission], r.Return)
			if months[r.Mission] == nil {
				months[r.Mission] = map[Month]bool{}
			}
			months[r.Mission][r.Month] = true
		}
		for _, m := range inFile {
			if keep[m] {
				res.Missions = append(res.Missions, m)
			}
		}
		if opts.DryRun {
			res.Imported = res.Read - res.Skipped
			return nil
		}
		for _, m := range res.Missions {
			ms := make([]Month, 0, len(months[m]))
			for mo := range months[m] {
				ms = append(ms, mo)
			}
			slices.Sort(ms)
			if err := replaceStrength(ctx, tx, m, ms, byMission[m]); err != nil {
				return err
			}
			res.Imported += len(byMission[m])
			total := 0
			for _, r := range byMission[m] {
				total += r.Personnel
			}
			summary := map[string]any{"source": opts.Source, "months": len(ms), "first": ms[0], "last": ms[len(ms)-1], "returns": len(byMission[m]), "personnel": total}
			if err := tx.Audit(ctx, store.Change{Mission: m, EntityType: "strength", EntityID: m, Action: "import", After: summary}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{Read: res.Read, Errors: res.Errors}, err
	}
	return res, nil
}

// replaceStrength deletes a mission's returns of the given months and
// inserts rs with one prepared statement.
func replaceStrength(ctx context.Context, tx *store.Tx, mission string, months []Month, rs []Return) error {
	for _, m := range months {
		if _, err := tx.ExecContext(ctx, `DELETE FROM forces_strength WHERE mission = $1 AND month = $2`, mission, string(m)); err != nil {
			return fmt.Errorf("forces: replace strength of %s %s: %w", mission, m, err)
		}
	}
	if err := writeStrength(ctx, tx, strengthInsert, mission, rs); err != nil {
		return err
	}
	return refreshTotals(ctx, tx, mission, months)
}

// ImportFatalities reads the UN fatalities file (ReadFatalities) and records
// its fatalities, all or nothing. Rows already imported (same source id)
// are skipped, so re-importing the file changes nothing.
func (s *Service) ImportFatalities(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	if opts.Mission != "" {
		if err := check(ctx, access.ActionImport, countsRes(opts.Mission)); err != nil {
			return res, err
		}
	} else if peaceops.ActorFromContext(ctx).Anonymous() {
		return res, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	rows, rowErrs, err := ReadFatalities(r)
	res.Read, res.Errors = len(rows), rowErrs
	if err != nil {
		return res, err
	}
	if len(rowErrs) > 0 {
		return res, errRowsRefused(rowErrs)
	}
	var inFile []string
	for _, r := range rows {
		if !slices.Contains(inFile, r.Mission) {
			inFile = append(inFile, r.Mission)
		}
	}
	slices.Sort(inFile)
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		keep, absent, err := s.missionsToImport(ctx, tx, inFile, opts.Mission)
		if err != nil {
			return err
		}
		res.Absent = absent
		done, err := fatalitySourceIDs(ctx, tx, FatalitySource)
		if err != nil {
			return err
		}
		perMission := map[string]int{}
		stmt, err := tx.PrepareContext(ctx, fatalityInsert)
		if err != nil {
			return fmt.Errorf("forces: prepare fatality: %w", err)
		}
		defer stmt.Close()
		for _, row := range rows {
			f := row.Fatality
			if !keep[f.Mission] || done[f.SourceID] {
				res.Skipped++
				continue
			}
			perMission[f.Mission]++
			res.Imported++
			if opts.DryRun {
				continue
			}
			f.ID, f.CreatedAt, f.UpdatedAt, f.Version = peaceops.NewIDAt(tx.Now), tx.Now, tx.Now, 1
			if _, err := stmt.ExecContext(ctx, f.ID, f.Mission, f.IncidentDate, f.Country, string(f.PersonnelType), string(f.IncidentType),
				string(f.Sex), f.EventID, f.Source, f.SourceID, store.Millis(f.CreatedAt), store.Millis(f.UpdatedAt), f.Version); err != nil {
				return fmt.Errorf("forces: import fatality at line %d: %w", row.Line, err)
			}
		}
		for _, m := range inFile {
			if keep[m] {
				res.Missions = append(res.Missions, m)
			}
		}
		if opts.DryRun {
			return nil
		}
		for _, m := range res.Missions {
			summary := map[string]any{"source": opts.Source, "fatalities": perMission[m]}
			if err := tx.Audit(ctx, store.Change{Mission: m, EntityType: "fatality", EntityID: m, Action: "import", After: summary}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{Read: res.Read, Errors: res.Errors}, err
	}
	return res, nil
}

// RecordFatality records one fatality of the mission and audits it.
func (s *Service) RecordFatality(ctx context.Context, mission string, f *Fatality) error {
	f.Mission = mission
	if err := check(ctx, access.ActionCreate, countsRes(mission)); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		f.ID, f.CreatedAt, f.UpdatedAt, f.Version = peaceops.NewIDAt(tx.Now), tx.Now, tx.Now, 1
		if err := insertFatality(ctx, tx, f); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "fatality", EntityID: f.ID, Action: "create", After: f})
	})
}

// FindFatalities returns a page of the mission's fatalities in id order
// and the cursor of the next.
func (s *Service) FindFatalities(ctx context.Context, mission string, limit int, after string) ([]*Fatality, string, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, "", err
	}
	var out []*Fatality
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = findFatalities(ctx, tx, mission, limit, after)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// FatalityCounts returns the mission's fatalities by year and incident
// type.
func (s *Service) FatalityCounts(ctx context.Context, mission string) ([]FatalityCount, error) {
	if err := check(ctx, access.ActionRead, countsRes(mission)); err != nil {
		return nil, err
	}
	var out []FatalityCount
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, err = fatalityCounts(ctx, tx, mission)
		return err
	})
	return out, err
}
