package forces

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
)

// ReferenceMission is a UN peacekeeping operation as the UN list of
// operations gives it: reference data to seed missions from.
type ReferenceMission struct {
	Code      string        `json:"code"`
	Name      string        `json:"name"`
	Active    bool          `json:"active"`
	StartDate peaceops.Date `json:"start_date"`
	EndDate   peaceops.Date `json:"end_date"`
	HQName    string        `json:"hq_name"`
	HQ        *geo.Point    `json:"hq"` // nil when the list has no coordinates
	// Swapped is true when the list gave the HQ coordinates the wrong way
	// round and they were put right.
	Swapped bool `json:"swapped"`
}

// swappedHQ lists the operations whose HQ longitude and latitude the UN list
// (DPPADPOSS-PKO, last_update 2024-02-19) gives swapped: MINUSMA's Bamako
// is written lon 12.65, lat -8.0. A latitude outside -90..90 is swapped
// whatever the code.
var swappedHQ = map[string]bool{"MINUSMA": true}

// ReadMissionList reads the UN list of peacekeeping operations (UN Peace
// and Security Data Hub, DPPADPOSS-PKO: mission_acronym, mission_name,
// mission_isactive, start_date, end_date, mission_location,
// mission_longitude, mission_latitude). Coordinates use a decimal comma;
// "NO" and "No" both mean inactive; MINUSMA's swapped coordinates are put
// right. Every bad row is reported with its line.
func ReadMissionList(r io.Reader) ([]ReferenceMission, []*RowError, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "missions list: cannot read the header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	if !has(col, "mission_acronym", "mission_name", "mission_isactive", "start_date", "end_date", "mission_location", "mission_longitude", "mission_latitude") {
		return nil, nil, peaceops.Errorf(peaceops.EINVALID, "missions list: the header lacks the columns of the UN list of operations (mission_acronym, mission_name, mission_isactive, start_date, end_date, mission_location, mission_longitude, mission_latitude)")
	}
	var out []ReferenceMission
	var rowErrs []*RowError
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
			return out, rowErrs, peaceops.Errorf(peaceops.EINVALID, "missions list: %v", err)
		}
		line, _ := cr.FieldPos(0)
		rr := &rowReader{rec: rec, col: col, line: line}
		m := ReferenceMission{Code: rr.text("mission_acronym"), Name: rr.text("mission_name"), HQName: rr.text("mission_location")}
		if m.Code == "" {
			rr.bad("mission_acronym", "is required")
		}
		switch a := strings.ToLower(rr.text("mission_isactive")); a {
		case "yes":
			m.Active = true
		case "no":
		default:
			rr.bad("mission_isactive", "%q is not Yes or No", rr.text("mission_isactive"))
		}
		date := func(name string) peaceops.Date {
			s := rr.text(name)
			if s == "" {
				return peaceops.Date{}
			}
			d, err := peaceops.ParseDate(s)
			if err != nil {
				rr.bad(name, "%q is not a date of the form YYYY-MM-DD", s)
			}
			return d
		}
		m.StartDate, m.EndDate = date("start_date"), date("end_date") // a few old operations have none
		lonText, latText := rr.text("mission_longitude"), rr.text("mission_latitude")
		if lonText != "" || latText != "" {
			lon, errLon := decimalComma(lonText)
			lat, errLat := decimalComma(latText)
			switch {
			case errLon != nil:
				rr.bad("mission_longitude", "%q is not a number", lonText)
			case errLat != nil:
				rr.bad("mission_latitude", "%q is not a number", latText)
			default:
				if swappedHQ[m.Code] || lat < -90 || lat > 90 {
					lon, lat, m.Swapped = lat, lon, true
				}
				p := geo.Point{Lon: lon, Lat: lat}
				if err := p.Validate(); err != nil {
					rr.bad("mission_longitude", "%v", err)
				} else {
					m.HQ = &p
				}
			}
		}
		rowErrs = append(rowErrs, rr.errs...)
		if len(rr.errs) == 0 {
			out = append(out, m)
		}
	}
	return out, rowErrs, nil
}

// decimalComma parses a number written with a decimal comma ("15,3222") or
// point.
func decimalComma(s string) (float64, error) {
	return strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
}
