package forces

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/peaceops/peaceops"
)

// FatalityRow is a fatality read from a file, with its line.
type FatalityRow struct {
	Line int
	Fatality
}

// fatalityPersonnel maps the UN file's casualty_personnel_type (trimmed:
// the file writes "Local " with a trailing space).
var fatalityPersonnel = map[string]PersonnelType{
	"Military":               PersonMilitary,
	"Military Observer":      PersonMilitaryObserver,
	"Police":                 PersonPolice,
	"International Civilian": PersonCivilianIntl,
	"Local":                  PersonCivilianLocal,
	"Other":                  PersonOther,
}

// fatalityIncidents maps the file's type_of_incident; "Unknown" is other.
var fatalityIncidents = map[string]IncidentType{
	"Malicious Act":    IncidentMalicious,
	"Accident":         IncidentAccident,
	"Illness":          IncidentIllness,
	"Self-Inflicted":   IncidentSelfInflicted,
	"To Be Determined": IncidentToBeDetermined,
	"Unknown":          IncidentOther,
	"Other":            IncidentOther,
}

// FatalitySource is the provenance of fatalities read from the UN Peace and
// Security Data Hub file.
const FatalitySource = "DPPADPOSS-FATALITIES"

// ReadFatalities reads the UN peacekeeping fatalities file (UN Peace and
// Security Data Hub, DPPADPOSS-FATALITIES: id, incident_date,
// mission_acronym, gender, casualty_personnel_type, type_of_incident,
// isocode3...). Its id column is the source id (casualty_id is not
// unique). Every bad row is reported with its line and why.
func ReadFatalities(r io.Reader) ([]FatalityRow, []*RowError, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "fatalities: cannot read the header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	if !has(col, "id", "incident_date", "mission_acronym", "gender", "casualty_personnel_type", "type_of_incident", "isocode3") {
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "fatalities: the header lacks the columns of the UN fatalities file (id, incident_date, mission_acronym, gender, casualty_personnel_type, type_of_incident, isocode3)")
	}
	var out []FatalityRow
	var rowErrs []*RowError
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				rowErrs = append(rowErrs, &RowError{Line: pe.Line, Message: pe.Err.Error()})
				continue
			}
			return out, rowErrs, peaceops.Errorf(peaceops.EINVALID, "fatalities: %v", err)
		}
		line, _ := cr.FieldPos(0)
		rr := &rowReader{rec: rec, col: col, line: line}
		f := Fatality{Source: FatalitySource, SourceID: rr.text("id"), Mission: rr.text("mission_acronym"), Country: rr.text("isocode3")}
		if f.SourceID == "" {
			rr.bad("id", "is required")
		} else if prev, dup := seen[f.SourceID]; dup {
			rr.bad("id", "%s repeats line %d", f.SourceID, prev)
		}
		seen[f.SourceID] = line
		if f.Mission == "" {
			rr.bad("mission_acronym", "is required")
		}
		if f.IncidentDate, err = peaceops.ParseDate(rr.text("incident_date")); err != nil {
			rr.bad("incident_date", "%q is not a date of the form YYYY-MM-DD", rr.text("incident_date"))
		}
		if f.Country != "" {
			if _, ok := CountryName(f.Country); !ok {
				rr.bad("isocode3", "%q is not an ISO 3166-1 alpha-3 country code", f.Country)
			}
		}
		switch g := rr.text("gender"); g {
		case "M":
			f.Sex = SexMale
		case "F":
			f.Sex = SexFemale
		case "":
			f.Sex = SexUnknown
		default:
			rr.bad("gender", "%q is not M, F or empty", g)
		}
		var ok bool
		if f.PersonnelType, ok = fatalityPersonnel[rr.text("casualty_personnel_type")]; !ok {
			rr.bad("casualty_personnel_type", "%q is not a known personnel type (Military, Military Observer, Police, International Civilian, Local, Other)", rr.text("casualty_personnel_type"))
		}
		if f.IncidentType, ok = fatalityIncidents[rr.text("type_of_incident")]; !ok {
			rr.bad("type_of_incident", "%q is not a known incident type (Malicious Act, Accident, Illness, Self-Inflicted, To Be Determined, Unknown)", rr.text("type_of_incident"))
		}
		if t, ok := col["type_of_casualty"]; ok && strings.TrimSpace(rec[t]) != "Fatality" {
			rr.bad("type_of_casualty", "%q is not a fatality", rec[t])
		}
		rowErrs = append(rowErrs, rr.errs...)
		if len(rowErrs) >= maxRowErrors {
			return out, rowErrs, peaceops.Errorf(peaceops.EINVALID, "fatalities: %d bad rows: stopped reading", len(rowErrs))
		}
		if len(rr.errs) == 0 {
			out = append(out, FatalityRow{Line: line, Fatality: f})
		}
	}
	return out, rowErrs, nil
}

// errRowsRefused is the error of an import refused for its bad rows.
func errRowsRefused(errs []*RowError) error {
	lines := map[int]bool{}
	for _, e := range errs {
		lines[e.Line] = true
	}
	return peaceops.Errorf(peaceops.EINVALID, "%d rows are bad (%d problems): nothing was imported", len(lines), len(errs))
}
