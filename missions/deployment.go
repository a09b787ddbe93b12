package missions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// Site is a place where a mission's units were deployed in a year: a team
// site, a base or a headquarters, as a source (Geo-PKO, or the mission's
// own list) records it. The map shows them as the deployments layer.
type Site struct {
	Mission  string    `json:"mission"`
	Source   string    `json:"source"`
	Year     int       `json:"year"`
	Name     string    `json:"name"`
	Location geo.Point `json:"location"`
	// Troops is the average number of troops deployed there that year (0:
	// none, or not known: e.g. a police or observer post).
	Troops int `json:"troops"`
	// HQ is the headquarters the place held: "mission", "sector", "other"
	// or "" (none).
	HQ string `json:"hq,omitempty"`
	// Units lists the kinds of units present (UnitKinds).
	Units []string `json:"units,omitempty"`
	// Contributors is the contributing countries as the source writes them
	// ("Nepal (650), Pakistan (150)").
	Contributors string `json:"contributors,omitempty"`
}

// UnitKinds are the kinds of unit a site may hold.
var UnitKinds = []string{"infantry", "reserve", "police", "medical", "aviation", "observers", "engineering", "signals", "riverine", "maintenance", "transport"}

// SourceGeoPKO names the Geo-PKO dataset (Uppsala University) as a source
// of deployment sites.
const SourceGeoPKO = "geo-pko"

// Validate reports every problem of s at once.
func (s *Site) Validate() error {
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	if s.Mission == "" {
		add("mission", "is required")
	}
	if s.Source == "" || len(s.Source) > 40 {
		add("source", "is required (at most 40 characters)")
	}
	if s.Year < 1945 || s.Year > 2100 {
		add("year", "must be a year between 1945 and 2100")
	}
	if name := strings.TrimSpace(s.Name); name == "" || len([]rune(name)) > 200 {
		add("name", "is required (at most 200 characters)")
	}
	if err := s.Location.Validate(); err != nil {
		add("location", err.Error())
	}
	if s.Troops < 0 || s.Troops > 100000 {
		add("troops", "must be between 0 and 100000")
	}
	if !slices.Contains([]string{"", "mission", "sector", "other"}, s.HQ) {
		add("hq", "must be mission, sector, other or empty")
	}
	for _, u := range s.Units {
		if !slices.Contains(UnitKinds, u) {
			add("units", fmt.Sprintf("%q is not a unit kind (%s)", u, strings.Join(UnitKinds, ", ")))
		}
	}
	if len(errs) > 0 {
		return peaceops.Invalid(errs)
	}
	return nil
}

// GeoPKOFiles are the readers of the three Geo-PKO v2.3 aggregate files:
// FrontMap (required) and, when present, TTMap (unit types) and TCCMap
// (contributors per place).
type GeoPKOFiles struct {
	Front, UnitTypes, Contributors io.Reader
}

// ReadGeoPKO reads the Geo-PKO v2.3 aggregates into sites, for one mission
// (its Geo-PKO acronym; "" for every mission). Geo-PKO codes each UN
// deployment map of a year, so a place may appear on several rows of one
// year: those merge into one site, with the year's average troops
// (ave.no.troops, the same on each row), the highest headquarters level and
// every unit kind any of the maps shows. A malformed row is an error naming
// the file, line and column: nothing is returned then.
func ReadGeoPKO(files GeoPKOFiles, mission string) ([]Site, error) {
	type key struct {
		mission, name string
		year          int
	}
	sites := map[key]*Site{}
	var order []key
	get := func(k key, lon, lat float64) *Site {
		s := sites[k]
		if s == nil {
			s = &Site{Mission: k.mission, Source: SourceGeoPKO, Year: k.year, Name: k.name, Location: geo.Point{Lon: lon, Lat: lat}}
			sites[k] = s
			order = append(order, k)
		}
		return s
	}
	addUnit := func(s *Site, kind string) {
		if !slices.Contains(s.Units, kind) {
			s.Units = append(s.Units, kind)
		}
	}
	hqLevels := map[string]int{"": 0, "other": 1, "sector": 2, "mission": 3}
	hqNames := []string{"", "other", "sector", "mission"}

	err := readCSV("FrontMap", files.Front, []string{"mission", "year", "location", "latitude", "longitude", "Infantry", "Reserve", "hq", "UNPOL", "Med", "Av", "UNMO", "ave.no.troops"},
		func(r csvRow) error {
			if mission != "" && r.str("mission") != mission {
				return nil
			}
			k, lon, lat, err := r.place()
			if err != nil {
				return err
			}
			s := get(key{r.str("mission"), k.name, k.year}, lon, lat)
			troops, err := r.num("ave.no.troops")
			if err != nil {
				return err
			}
			s.Troops = max(s.Troops, int(math.Round(troops)))
			hq, err := r.num("hq")
			if err != nil {
				return err
			}
			if hq < 0 || hq > 3 || hq != math.Trunc(hq) {
				return r.errorf("hq", "must be 0, 1, 2 or 3, not %s", r.str("hq"))
			}
			if int(hq) > hqLevels[s.HQ] {
				s.HQ = hqNames[int(hq)]
			}
			for col, kind := range map[string]string{"Infantry": "infantry", "Reserve": "reserve", "UNPOL": "police", "Med": "medical", "Av": "aviation", "UNMO": "observers"} {
				v, err := r.num(col)
				if err != nil {
					return err
				}
				if v > 0 {
					addUnit(s, kind)
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	if files.UnitTypes != nil {
		err := readCSV("TTMap", files.UnitTypes, []string{"mission", "year", "location", "latitude", "longitude", "Infantry", "eng", "med", "sig", "av", "riv", "maint", "trans"},
			func(r csvRow) error {
				if mission != "" && r.str("mission") != mission {
					return nil
				}
				k, _, _, err := r.place()
				if err != nil {
					return err
				}
				s := sites[key{r.str("mission"), k.name, k.year}]
				if s == nil {
					return nil // a place FrontMap does not hold: nothing to add to
				}
				for col, kind := range map[string]string{"Infantry": "infantry", "eng": "engineering", "med": "medical", "sig": "signals", "av": "aviation", "riv": "riverine", "maint": "maintenance", "trans": "transport"} {
					v, err := r.num(col)
					if err != nil {
						return err
					}
					if v > 0 {
						addUnit(s, kind)
					}
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	if files.Contributors != nil {
		err := readCSV("TCCMap", files.Contributors, []string{"mission", "year", "location", "latitude", "longitude", "year.overview"},
			func(r csvRow) error {
				if mission != "" && r.str("mission") != mission {
					return nil
				}
				k, _, _, err := r.place()
				if err != nil {
					return err
				}
				if s := sites[key{r.str("mission"), k.name, k.year}]; s != nil && s.Contributors == "" {
					s.Contributors = strings.TrimSpace(r.str("year.overview"))
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	out := make([]Site, 0, len(order))
	for _, k := range order {
		s := sites[k]
		slices.SortFunc(s.Units, func(a, b string) int { return slices.Index(UnitKinds, a) - slices.Index(UnitKinds, b) })
		out = append(out, *s)
	}
	return out, nil
}

// csvRow is one record of a CSV file with named columns.
type csvRow struct {
	file string
	line int
	cols map[string]int
	rec  []string
}

func (r csvRow) str(col string) string { return strings.TrimSpace(r.rec[r.cols[col]]) }

func (r csvRow) errorf(col, format string, args ...any) error {
	return peaceops.Errorf(peaceops.EINVALID, "%s line %d, column %s: %s", r.file, r.line, col, fmt.Sprintf(format, args...))
}

func (r csvRow) num(col string) (float64, error) {
	s := r.str(col)
	if s == "" || s == "NA" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, r.errorf(col, "%q is not a number", s)
	}
	return v, nil
}

type placeKey struct {
	name string
	year int
}

// place reads the year, place name and coordinates common to the files.
func (r csvRow) place() (placeKey, float64, float64, error) {
	var k placeKey
	if r.str("mission") == "" {
		return k, 0, 0, r.errorf("mission", "is empty")
	}
	y, err := strconv.Atoi(r.str("year"))
	if err != nil || y < 1945 || y > 2100 {
		return k, 0, 0, r.errorf("year", "%q is not a year", r.str("year"))
	}
	k.year = y
	if k.name = r.str("location"); k.name == "" {
		return k, 0, 0, r.errorf("location", "is empty")
	}
	lat, err := r.num("latitude")
	if err != nil {
		return k, 0, 0, err
	}
	lon, err := r.num("longitude")
	if err != nil {
		return k, 0, 0, err
	}
	if r.str("latitude") == "" || r.str("longitude") == "" {
		return k, 0, 0, r.errorf("latitude", "the place has no coordinates")
	}
	if (geo.Point{Lon: lon, Lat: lat}).Validate() != nil {
		return k, 0, 0, r.errorf("latitude", "(%s, %s) is not a position on Earth", r.str("latitude"), r.str("longitude"))
	}
	return k, lon, lat, nil
}

// readCSV calls fn for every record of a CSV file whose header has the
// columns want (in any order, others ignored).
func readCSV(file string, rd io.Reader, want []string, fn func(csvRow) error) error {
	cr := csv.NewReader(rd)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return peaceops.Errorf(peaceops.EINVALID, "%s: the file is empty", file)
		}
		return peaceops.Errorf(peaceops.EINVALID, "%s line 1: %v", file, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	var missing []string
	for _, c := range want {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return peaceops.Errorf(peaceops.EINVALID, "%s: not a Geo-PKO %s file: the header lacks %s", file, file, strings.Join(missing, ", "))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return peaceops.Errorf(peaceops.EINVALID, "%s line %d: %v", file, line, err)
		}
		if err := fn(csvRow{file: file, line: line, cols: cols, rec: rec}); err != nil {
			return err
		}
	}
}

// Deployments is the deployments layer of a mission for one year: the
// sites of every source for that year, and the years any site is known for.
type Deployments struct {
	Mission string `json:"mission"`
	Year    int    `json:"year"`
	Years   []int  `json:"years"`
	Sites   []Site `json:"sites"`
}
