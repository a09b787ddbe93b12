package forces

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// RowError is what is wrong with one row of an imported file.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// MissionReturn is a strength return read from a file, with the mission it
// belongs to and the line it came from.
type MissionReturn struct {
	Line    int
	Mission string
	Return
}

// ipiPost is a post (column group) of the IPI files and the category its
// people count under.
type ipiPost struct {
	column   string
	category Category
}

// The posts of the IPI gender file (tcc_files/Gender.Full.csv): each has
// Male, Female and Total columns.
var genderPosts = []ipiPost{
	{"Individual Police", CatIPO},
	{"Formed Police Units", CatFPU},
	{"Experts on Mission", CatMilitaryExperts},
	{"Troops", CatTroops},
}

// The posts of the IPI monthly files (ppp_files/update_archive/csv), which
// have no sex split. Civilian_Police (FPU + individual police) and
// Observers (= experts on mission) repeat other columns and are checked,
// not counted. "Inidividual_Police" is the publisher's spelling.
var pppPosts = []ipiPost{
	{"Inidividual_Police", CatIPO},
	{"Formed_Police_Units", CatFPU},
	{"Experts_on_Mission", CatMilitaryExperts},
	{"Troops", CatTroops},
}

var missionCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)

// maxRowErrors bounds the errors collected from one file: past it, the
// file is plainly not of the expected kind.
const maxRowErrors = 1000

// ReadContributions reads an IPI Peacekeeping Database contributions file:
// either the contributor x mission x month file by post and sex
// (Gender.Full.csv) or a monthly contributor x mission file of the
// Providing for Peacekeeping loader (YYYYMMDD.csv, no sex split: counted as
// sex unknown). The kind is told from the header. Counts written "NA" are
// zero; zero counts give no return. Every bad row is reported with its line
// and why; the error is for a file that cannot be read at all.
func ReadContributions(r io.Reader, source string) ([]MissionReturn, []*RowError, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "contributions: cannot read the header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	var kind string
	switch {
	case has(col, "Date", "Contributor ISO-3", "Mission", "Troops Male", "Total Total"):
		kind = "gender"
	case has(col, "Date", "Contributor_ISO-3", "Mission", "Troops", "Inidividual_Police", "Total"):
		kind = "monthly"
	default:
		return nil, nil, peaceops.Errorf(peaceops.EINVALID,
			"contributions: the header is neither of the IPI gender file (Date, Contributor ISO-3, Mission, Troops Male...) nor of its monthly files (Date, Contributor_ISO-3, Mission, Troops, Inidividual_Police...)")
	}
	var out []MissionReturn
	var rowErrs []*RowError
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rowErrs = append(rowErrs, &RowError{Line: pe.Line, Message: pe.Err.Error()})
				if pe.Err == csv.ErrFieldCount {
					continue
				}
			}
			return out, rowErrs, peaceops.Errorf(peaceops.EINVALID, "contributions: %v", err)
		}
		line, _ := cr.FieldPos(0)
		var rs []MissionReturn
		var errs []*RowError
		if kind == "gender" {
			rs, errs = genderRow(rec, col, line)
		} else {
			rs, errs = monthlyRow(rec, col, line)
		}
		if len(errs) == 0 && len(rs) > 0 {
			k := rs[0].Mission + "|" + string(rs[0].Month) + "|" + rs[0].Country
			if prev, dup := seen[k]; dup {
				errs = append(errs, &RowError{Line: line, Message: fmt.Sprintf("%s in %s for %s repeats line %d", rs[0].Country, rs[0].Month, rs[0].Mission, prev)})
			}
			seen[k] = line
		}
		rowErrs = append(rowErrs, errs...)
		if len(rowErrs) >= maxRowErrors {
			return out, rowErrs, peaceops.Errorf(peaceops.EINVALID, "contributions: %d bad rows: stopped reading", len(rowErrs))
		}
		if len(errs) > 0 {
			continue
		}
		for i := range rs {
			rs[i].Source = source
		}
		out = append(out, rs...)
	}
	return out, rowErrs, nil
}

func has(col map[string]int, names ...string) bool {
	for _, n := range names {
		if _, ok := col[n]; !ok {
			return false
		}
	}
	return true
}

// rowReader reads the cells of one record, collecting what is wrong.
type rowReader struct {
	rec  []string
	col  map[string]int
	line int
	errs []*RowError
}

func (rr *rowReader) bad(field, format string, args ...any) {
	rr.errs = append(rr.errs, &RowError{Line: rr.line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (rr *rowReader) text(name string) string { return strings.TrimSpace(rr.rec[rr.col[name]]) }

// count reads a count: a non-negative integer, or NA for zero.
func (rr *rowReader) count(name string) int {
	s := rr.text(name)
	if s == "NA" || s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxPersonnel {
		rr.bad(name, "%q is not a count (a whole number from 0 to %d, or NA)", s, MaxPersonnel)
		return 0
	}
	return n
}

// head reads the date, contributor and mission columns.
func (rr *rowReader) head(isoColumn string) (Month, string, string) {
	d, err := peaceops.ParseDate(rr.text("Date"))
	if err != nil {
		rr.bad("Date", "%q is not a date of the form YYYY-MM-DD", rr.text("Date"))
	}
	country := rr.text(isoColumn)
	if _, ok := geo.CountryName(country); !ok {
		rr.bad(isoColumn, "%q is not an ISO 3166-1 alpha-3 country code", country)
	}
	mission := rr.text("Mission")
	if !missionCodePattern.MatchString(mission) {
		rr.bad("Mission", "%q is not a mission code (capital letters, digits or hyphens)", mission)
	}
	return MonthOf(d), country, mission
}

func genderRow(rec []string, col map[string]int, line int) ([]MissionReturn, []*RowError) {
	rr := &rowReader{rec: rec, col: col, line: line}
	month, country, mission := rr.head("Contributor ISO-3")
	var out []MissionReturn
	sum := 0
	for _, p := range genderPosts {
		m, f, t := rr.count(p.column+" Male"), rr.count(p.column+" Female"), rr.count(p.column+" Total")
		if m+f != t {
			rr.bad(p.column+" Total", "is %d but male %d + female %d = %d", t, m, f, m+f)
		}
		sum += t
		for _, x := range []struct {
			sex Sex
			n   int
		}{{SexMale, m}, {SexFemale, f}} {
			if x.n > 0 {
				out = append(out, MissionReturn{Line: line, Mission: mission, Return: Return{Month: month, Country: country, Category: p.category, Sex: x.sex, Personnel: x.n}})
			}
		}
	}
	if tt := rr.count("Total Total"); tt != sum {
		rr.bad("Total Total", "is %d but the posts add up to %d", tt, sum)
	}
	return out, rr.errs
}

func monthlyRow(rec []string, col map[string]int, line int) ([]MissionReturn, []*RowError) {
	rr := &rowReader{rec: rec, col: col, line: line}
	month, country, mission := rr.head("Contributor_ISO-3")
	var out []MissionReturn
	sum := 0
	counts := map[Category]int{}
	for _, p := range pppPosts {
		n := rr.count(p.column)
		counts[p.category] = n
		sum += n
		if n > 0 {
			out = append(out, MissionReturn{Line: line, Mission: mission, Return: Return{Month: month, Country: country, Category: p.category, Sex: SexUnknown, Personnel: n}})
		}
	}
	if t := rr.count("Total"); t != sum {
		rr.bad("Total", "is %d but the posts add up to %d", t, sum)
	}
	if _, ok := col["Civilian_Police"]; ok {
		if cp := rr.count("Civilian_Police"); cp != counts[CatFPU]+counts[CatIPO] {
			rr.bad("Civilian_Police", "is %d but formed police %d + individual police %d = %d", cp, counts[CatFPU], counts[CatIPO], counts[CatFPU]+counts[CatIPO])
		}
	}
	return out, rr.errs
}
