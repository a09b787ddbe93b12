package conduct

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// SEASource names the UN table of allegations the importer reads by
// default.
const SEASource = "un-conduct-table"

// SEARecord is one row of the UN's public "table of allegations" of sexual
// exploitation and abuse (Conduct in UN Field Missions), read into the
// vocabularies of this package.
type SEARecord struct {
	Row               int    // line of the file where the row starts (the header is line 1)
	Reported          string // YYYY-MM
	Year              int
	Mission           string
	Incident          string // as published: free text
	PersonnelCategory string
	PersonnelDetail   string // as published, e.g. "Military (MC),2"
	Perpetrators      int    // a count the table leaves out counts as one
	Nationality       string // country names, " / "-joined; "" for civilians
	VictimsAdult      int
	VictimsChild      int
	VictimsUnknown    int
	Categories        []string
	PaternityClaim    bool
	Entity            string // investigating entity, as published
	InvestigationDays int    // -1 pending or not applicable
	Status            string
	InterimMeasures   []string
	Actions           []string
}

// seaColumns are the columns the table must have (in any order).
var seaColumns = []string{"Date", "Mission", "Date of incident", "Personnel Type", "Nationality", "Victim",
	"Allegation", "Paternity claim", "Investigation (days)", "Result", "Interim Action", "Final Action",
	"Referral for criminal accountability"}

var (
	seaMonth     = regexp.MustCompile(`^(\d{1,2})/(\d{4})$`)
	seaMission   = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)
	seaPersonnel = regexp.MustCompile(`^(Military|Police|Civilian) \((.*)\)\s*(?:,\s*(\d+))?$`)
	seaCount     = regexp.MustCompile(`^(Adult|Child|Unknown)(?: \((\d+)\))?$`)
	seaCategory  = regexp.MustCompile(`^(SE|SA) \(.*\)$`)
	seaDays      = regexp.MustCompile(`^(.*?) \((\d+|Pending|N/A)\)$`)
	seaTrailer   = regexp.MustCompile(`\s*\(\d+\)$`)
)

// lines splits a multi-line cell into its trimmed, non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ParseSEA reads the UN table of allegations (CSV, first line the header).
// It reports every bad row at once as an EINVALID error whose fields name
// the line and column ("row 12: Victim"); nothing is returned then.
func ParseSEA(r io.Reader) ([]SEARecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, peaceops.Errorf(peaceops.EINVALID, "the file is empty: want the table of allegations with its header")
	} else if err != nil {
		return nil, peaceops.Errorf(peaceops.EINVALID, "line 1: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	var missing []string
	for _, c := range seaColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, peaceops.Errorf(peaceops.EINVALID, "the header lacks the columns %s", strings.Join(missing, ", "))
	}
	var out []SEARecord
	var problems []peaceops.FieldError
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, peaceops.FieldError{Field: fmt.Sprintf("row %d", n), Message: err.Error()})
			if len(problems) > 100 {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		s, errs := parseSEARow(line, get)
		for _, e := range errs {
			problems = append(problems, peaceops.FieldError{Field: fmt.Sprintf("row %d: %s", line, e.Field), Message: e.Message})
		}
		if len(errs) == 0 {
			out = append(out, s)
		}
		if len(problems) > 100 {
			break
		}
	}
	if err := peaceops.Invalid(problems); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, peaceops.Errorf(peaceops.EINVALID, "the table has no rows")
	}
	return out, nil
}

func parseSEARow(line int, get func(string) string) (SEARecord, []peaceops.FieldError) {
	s := SEARecord{Row: line, InvestigationDays: -1}
	var errs []peaceops.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, peaceops.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if m := seaMonth.FindStringSubmatch(get("Date")); m == nil {
		bad("Date", "want the month reported as M/YYYY, got %q", get("Date"))
	} else {
		month, _ := strconv.Atoi(m[1])
		s.Year, _ = strconv.Atoi(m[2])
		if month < 1 || month > 12 || s.Year < 1990 || s.Year > 2100 {
			bad("Date", "no such month %q", get("Date"))
		}
		s.Reported = fmt.Sprintf("%04d-%02d", s.Year, month)
	}
	if s.Mission = get("Mission"); !seaMission.MatchString(s.Mission) {
		bad("Mission", "want a mission acronym in capitals, got %q", s.Mission)
	}
	s.Incident = strings.Join(lines(get("Date of incident")), " / ")
	s.PersonnelDetail = strings.Join(lines(get("Personnel Type")), "; ")
	for i, l := range lines(get("Personnel Type")) {
		m := seaPersonnel.FindStringSubmatch(l)
		if m == nil {
			bad("Personnel Type", "want e.g. \"Military (MC),2\", got %q", l)
			continue
		}
		cat := personnelOf(m[1], strings.TrimSpace(m[2]))
		if i == 0 {
			s.PersonnelCategory = cat
		}
		n := 1
		if m[3] != "" {
			n, _ = strconv.Atoi(m[3])
		}
		s.Perpetrators += n
	}
	if s.PersonnelCategory == "" && len(errs) == 0 {
		bad("Personnel Type", "is required")
	}
	s.Nationality = strings.Join(lines(get("Nationality")), " / ")
	for _, l := range lines(get("Victim")) {
		m := seaCount.FindStringSubmatch(l)
		if m == nil {
			bad("Victim", "want Adult, Child or Unknown with an optional count, e.g. \"Adult (2)\", got %q", l)
			continue
		}
		n := 1
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		switch m[1] {
		case "Adult":
			s.VictimsAdult += n
		case "Child":
			s.VictimsChild += n
		default:
			s.VictimsUnknown += n
		}
	}
	for _, l := range lines(get("Allegation")) {
		m := seaCategory.FindStringSubmatch(l)
		if m == nil {
			bad("Allegation", "want SE (...) or SA (...), got %q", l)
			continue
		}
		c := "sexual-exploitation"
		if m[1] == "SA" {
			c = "sexual-abuse"
		}
		if !slices.Contains(s.Categories, c) {
			s.Categories = append(s.Categories, c)
		}
	}
	slices.Sort(s.Categories)
	if len(s.Categories) == 0 && !hasField(errs, "Allegation") {
		bad("Allegation", "is required")
	}
	switch get("Paternity claim") {
	case "Yes":
		s.PaternityClaim = true
	case "No", "":
	default:
		bad("Paternity claim", "want Yes or No, got %q", get("Paternity claim"))
	}
	pendingInvestigation := false
	if v := get("Investigation (days)"); v != "" {
		m := seaDays.FindStringSubmatch(strings.Join(lines(v), " "))
		if m == nil {
			bad("Investigation (days)", "want an entity and its days in brackets, e.g. \"UN OIOS (238)\", got %q", v)
		} else {
			s.Entity = m[1]
			switch m[2] {
			case "Pending":
				pendingInvestigation = s.Entity != "Pending"
			case "N/A":
			default:
				s.InvestigationDays, _ = strconv.Atoi(m[2])
			}
		}
	}
	if s.Status = statusOf(get("Result"), pendingInvestigation); s.Status == "" {
		bad("Result", "want Pending, Substantiated, Unsubstantiated, N/A or Incomplete, got %q", get("Result"))
	}
	for _, l := range lines(get("Interim Action")) {
		if m := interimOf(l); m != "" && !slices.Contains(s.InterimMeasures, m) {
			s.InterimMeasures = append(s.InterimMeasures, m)
		}
	}
	slices.Sort(s.InterimMeasures)
	s.Actions = actionsOf(lines(get("Final Action")), get("Referral for criminal accountability"))
	return s, errs
}

func hasField(errs []peaceops.FieldError, field string) bool {
	return slices.ContainsFunc(errs, func(e peaceops.FieldError) bool { return e.Field == field })
}

// personnelOf maps the table's personnel type to a personnel category.
func personnelOf(kind, detail string) string {
	switch kind {
	case "Military":
		return "military"
	case "Police":
		return "police"
	}
	switch detail {
	case "UNV":
		return "un-volunteer"
	case "Contractor":
		return "contractor"
	}
	if strings.HasPrefix(detail, "Vendor") {
		return "contractor"
	}
	return "civilian"
}

// statusOf maps the table's result to an investigation status: any
// substantiated finding makes the case substantiated, then pending ones
// keep it open (under investigation when an entity investigates), then
// unsubstantiated; N/A and Incomplete are closed. "" when no line reads.
func statusOf(result string, investigating bool) string {
	var sub, pending, unsub, closed bool
	for _, l := range lines(result) {
		switch {
		case strings.HasPrefix(l, "Substantiated"):
			sub = true
		case strings.HasPrefix(l, "Unsubstantiated"):
			unsub = true
		case strings.HasPrefix(l, "Pending"):
			pending = true
		case strings.HasPrefix(l, "N/A"), strings.HasPrefix(l, "Incomplete"):
			closed = true
		}
	}
	switch {
	case sub:
		return "substantiated"
	case pending && investigating:
		return "under-investigation"
	case pending:
		return "pending"
	case unsub:
		return "unsubstantiated"
	case closed:
		return "closed"
	}
	return ""
}

// interimOf maps an interim action line to an interim measure ("" none).
func interimOf(l string) string {
	l = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(seaTrailer.ReplaceAllString(l, ""), "UN"), "NG"))
	switch {
	case strings.HasPrefix(l, "Payments suspended"):
		return "payment-suspension"
	case strings.HasPrefix(l, "Administrative"):
		return "administrative-leave"
	case strings.HasPrefix(l, "Repatriation"):
		return "repatriation"
	}
	return ""
}

// actionsOf maps the final actions (UN and contributing country lines)
// and the criminal referral column to action types. A case closed without
// any of them is "none"; one still pending has no action yet.
func actionsOf(final []string, referral string) []string {
	var out []string
	add := func(a string) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	closed := false
	for _, l := range final {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(seaTrailer.ReplaceAllString(l, ""), "UN "), "NG "))
		switch l {
		case "Repatriation":
			add("repatriation")
		case "Jail":
			add("jail")
		case "Dismissal", "Separation from service", "Termination", "Forcible retirement":
			add("dismissal")
		case "UN referral to host state", "Host state action":
			add("criminal-referral")
		case "Administrative", "Financial sanction", "Demotion", "Suspension from service":
			add("other")
		case "Action closed", "Case dismissed", "Subject resigned", "None", "N/A":
			closed = true
		}
	}
	if referral == "Yes" {
		add("criminal-referral")
	}
	if len(out) == 0 && closed {
		add("none")
	}
	slices.Sort(out)
	return out
}

// ImportSEAFile reads the UN table of allegations at path (CSV) and
// imports it as source (see ImportSEA): what the demo calls to seed the
// public statistics with real data.
func (s *Service) ImportSEAFile(ctx context.Context, source, path string) (SEAResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return SEAResult{}, fmt.Errorf("conduct: %w", err)
	}
	defer f.Close()
	recs, err := ParseSEA(f)
	if err != nil {
		return SEAResult{}, err
	}
	return s.ImportSEA(ctx, source, recs)
}

// SEAResult says what an import did.
type SEAResult struct {
	Source   string `json:"source"`
	Rows     int    `json:"rows"`
	Replaced int    `json:"replaced"` // rows of an earlier import of the source
}

// ImportSEA stores recs as the historical table source, replacing an
// earlier import of the same source, in one transaction: all or nothing.
// The system actor only (peaceops import sea).
func (s *Service) ImportSEA(ctx context.Context, source string, recs []SEARecord) (SEAResult, error) {
	actor := peaceops.ActorFromContext(ctx)
	if err := access.Check(actor, access.ActionImport, access.Resource{Type: typeAllegation, Classification: peaceops.StrictlyConfidential}); err != nil {
		return SEAResult{}, peaceops.Errorf(peaceops.EFORBIDDEN, "the UN table is imported with the peaceops command on the server")
	}
	if source == "" {
		source = SEASource
	}
	res := SEAResult{Source: source, Rows: len(recs)}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM conduct_sea_history WHERE source = $1`, source)
		if err != nil {
			return fmt.Errorf("conduct: import: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Replaced = int(n)
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO conduct_sea_history (id, source, row_no, reported, year, mission,
			incident, personnel_category, personnel_detail, perpetrators, nationality, victims_adult, victims_child,
			victims_unknown, categories, paternity_claim, inv_entity, inv_days, inv_status, interim_measures, actions, imported_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`)
		if err != nil {
			return fmt.Errorf("conduct: import: %w", err)
		}
		defer stmt.Close()
		for _, x := range recs {
			var days any
			if x.InvestigationDays >= 0 {
				days = x.InvestigationDays
			}
			_, err := stmt.ExecContext(ctx, peaceops.NewIDAt(tx.Now), source, x.Row, x.Reported, x.Year, x.Mission,
				x.Incident, x.PersonnelCategory, x.PersonnelDetail, x.Perpetrators, x.Nationality, x.VictimsAdult,
				x.VictimsChild, x.VictimsUnknown, strings.Join(x.Categories, ","), x.PaternityClaim, x.Entity, days,
				x.Status, strings.Join(x.InterimMeasures, ","), strings.Join(x.Actions, ","), tx.NowMillis())
			if err != nil {
				return fmt.Errorf("conduct: import row %d: %w", x.Row, err)
			}
		}
		return tx.Audit(ctx, store.Change{EntityType: typeStats, EntityID: source, Action: "import", After: res})
	})
	if err != nil {
		return SEAResult{}, err
	}
	return res, nil
}
