package conduct

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
)

// statRecord is one allegation as the statistics count it, from a case
// recorded in peaceops or a row of the imported UN table.
type statRecord struct {
	Year        int
	Mission     string
	Personnel   string
	Nationality string // a display name, "" when not applicable
	Status      string
	Actions     []string
	Victims     []victimGroup
}

type victimGroup struct {
	Sex, AgeGroup string
	N             int
}

// StatsQuery selects what the statistics count.
type StatsQuery struct {
	Mission  string // "" every mission
	From, To int    // years, inclusive; 0 open
	// Threshold overrides the service's (only upward: a caller cannot
	// publish smaller cells than the server allows).
	Threshold int
}

// Statistics are the published tables: allegations by year and mission,
// personnel category, nationality, investigation status and action, and
// victims by sex and age group, each with small cells suppressed.
type Statistics struct {
	Threshold int         `json:"threshold"`
	Years     []string    `json:"years"`
	Tables    []Published `json:"tables"`
}

// Table keys of the statistics, in publication order.
const (
	TableMission     = "mission"
	TablePersonnel   = "personnel"
	TableNationality = "nationality"
	TableStatus      = "status"
	TableAction      = "action"
	TableVictims     = "victims"
)

// Stats returns the public statistics. Anyone may read them (anonymous
// callers included); no cell below the threshold is published.
func (s *Service) Stats(ctx context.Context, q StatsQuery) (*Statistics, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionRead, access.Resource{Type: typeStats, Classification: peaceops.Public}); err != nil {
		return nil, err
	}
	if q.From != 0 && q.To != 0 && q.To < q.From {
		return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "to", Message: "must not be before from"}})
	}
	threshold := max(q.Threshold, s.opts.Threshold)
	var recs []statRecord
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		recs, err = statRecords(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	tables := countTables(recs, q)
	out := &Statistics{Threshold: threshold, Years: append([]string{}, tables[0].Cols...), Tables: []Published{}}
	for _, t := range tables {
		out.Tables = append(out.Tables, t.Publish(threshold))
	}
	return out, nil
}

// countTables builds the count tables of the records q selects. Every
// table has the same columns: the years present.
func countTables(recs []statRecord, q StatsQuery) []*Table {
	var sel []statRecord
	yearSet := map[int]bool{}
	for _, r := range recs {
		if (q.Mission != "" && r.Mission != q.Mission) || (q.From != 0 && r.Year < q.From) || (q.To != 0 && r.Year > q.To) {
			continue
		}
		sel = append(sel, r)
		yearSet[r.Year] = true
	}
	var years []int
	for y := range yearSet {
		years = append(years, y)
	}
	slices.Sort(years)
	cols := make([]string, len(years))
	col := map[int]int{}
	for i, y := range years {
		cols[i], col[y] = strconv.Itoa(y), i
	}
	byMission := newTable(TableMission, "Allegations by mission", cols)
	byPersonnel := newTable(TablePersonnel, "Allegations by category of personnel", cols)
	byNationality := newTable(TableNationality, "Allegations by nationality of uniformed personnel", cols)
	byStatus := newTable(TableStatus, "Allegations by investigation status", cols)
	byAction := newTable(TableAction, "Actions taken", cols)
	victims := newTable(TableVictims, "Victims by sex and age group", cols)
	slices.SortFunc(sel, func(a, b statRecord) int { return strings.Compare(a.Mission, b.Mission) })
	for _, r := range sel {
		c := col[r.Year]
		byMission.add(r.Mission, c, 1)
		byPersonnel.add(labelOf(PersonnelCategories, r.Personnel), c, 1)
		if r.Nationality != "" {
			byNationality.add(r.Nationality, c, 1)
		}
		byStatus.add(labelOf(Statuses, r.Status), c, 1)
		for _, a := range r.Actions {
			byAction.add(labelOf(ActionTypes, a), c, 1)
		}
		for _, v := range r.Victims {
			victims.add(labelOf(Sexes, v.Sex)+", "+strings.ToLower(labelOf(AgeGroups, v.AgeGroup)), c, v.N)
		}
	}
	tables := []*Table{byMission, byPersonnel, byNationality, byStatus, byAction, victims}
	for _, t := range tables {
		t.sortRows()
	}
	return tables
}

// sortRows orders rows by label, keeping cells with their row.
func (t *Table) sortRows() {
	idx := make([]int, len(t.Rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(t.Rows[a], t.Rows[b]) })
	rows, cells := make([]string, len(idx)), make([][]int, len(idx))
	for k, i := range idx {
		rows[k], cells[k] = t.Rows[i], t.Cells[i]
		t.index[t.Rows[i]] = k
	}
	t.Rows, t.Cells = rows, cells
}

// statRecords loads every allegation, recorded or imported, as the
// statistics count it.
func statRecords(ctx context.Context, tx *store.Tx) ([]statRecord, error) {
	var out []statRecord
	rows, err := tx.QueryContext(ctx, `SELECT year, mission, personnel_category, nationality, inv_status, actions,
		victims_adult, victims_child, victims_unknown FROM conduct_sea_history`)
	if err != nil {
		return nil, fmt.Errorf("conduct: statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r statRecord
		var actions string
		var adult, child, unknown int
		if err := rows.Scan(&r.Year, &r.Mission, &r.Personnel, &r.Nationality, &r.Status, &actions, &adult, &child, &unknown); err != nil {
			return nil, fmt.Errorf("conduct: statistics: %w", err)
		}
		r.Actions = splitList(actions)
		for _, g := range []victimGroup{{"unknown", "adult", adult}, {"unknown", "child", child}, {"unknown", "unknown", unknown}} {
			if g.N > 0 {
				r.Victims = append(r.Victims, g)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	live := map[string]*statRecord{}
	var order []string
	rows, err = tx.QueryContext(ctx, `SELECT id, reported, mission, personnel_category, nationality, inv_status, victim_count
		FROM conduct_allegations`)
	if err != nil {
		return nil, fmt.Errorf("conduct: statistics: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var id, nat string
		var reported peaceops.Date
		var r statRecord
		var n int
		if err := rows.Scan(&id, &reported, &r.Mission, &r.Personnel, &nat, &r.Status, &n); err != nil {
			return nil, fmt.Errorf("conduct: statistics: %w", err)
		}
		r.Year = reported.Year
		if nat != "" {
			if name, ok := geo.CountryName(nat); ok {
				r.Nationality = name
			} else {
				r.Nationality = nat
			}
		}
		live[id], counts[id] = &r, n
		order = append(order, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := liveDetails(ctx, tx, live); err != nil {
		return nil, err
	}
	for _, id := range order {
		r := live[id]
		recorded := 0
		for _, v := range r.Victims {
			recorded += v.N
		}
		if extra := counts[id] - recorded; extra > 0 {
			r.Victims = append(r.Victims, victimGroup{"unknown", "unknown", extra})
		}
		out = append(out, *r)
	}
	return out, nil
}

// liveDetails adds the victims and actions of recorded cases.
func liveDetails(ctx context.Context, tx *store.Tx, live map[string]*statRecord) error {
	rows, err := tx.QueryContext(ctx, `SELECT allegation_id, sex, age_group, COUNT(*) FROM conduct_victims
		GROUP BY allegation_id, sex, age_group ORDER BY allegation_id, sex, age_group`)
	if err != nil {
		return fmt.Errorf("conduct: statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var g victimGroup
		if err := rows.Scan(&id, &g.Sex, &g.AgeGroup, &g.N); err != nil {
			return fmt.Errorf("conduct: statistics: %w", err)
		}
		if r := live[id]; r != nil {
			r.Victims = append(r.Victims, g)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT DISTINCT allegation_id, action FROM conduct_actions ORDER BY allegation_id, action`)
	if err != nil {
		return fmt.Errorf("conduct: statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, action string
		if err := rows.Scan(&id, &action); err != nil {
			return fmt.Errorf("conduct: statistics: %w", err)
		}
		if r := live[id]; r != nil {
			r.Actions = append(r.Actions, action)
		}
	}
	return rows.Err()
}
