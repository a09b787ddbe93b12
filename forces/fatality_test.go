package forces_test

import (
	"encoding/csv"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

const fatalityHeader = "id,incident_date,casualty_id,mission_acronym,type_of_casualty,gender,casualty_nationality,casualty_personnel_type,type_of_incident,m49_code,isocode3,last_update\n"

func TestReadFatalities(t *testing.T) {
	body := fatalityHeader +
		"1,2017-05-08,MINUSCA-2017-05-1,MINUSCA,Fatality,M,Cambodia,Military,Malicious Act,116.0,KHM,2025-04-04\n" +
		"2,2017-13-08,MINUSCA-2017-05-2,MINUSCA,Fatality,X,Mars,Wizard,Magic,0,MRS,2025-04-04\n" +
		"1,2018-01-01,MINUSCA-2018-01-3,MINUSCA,Injury,,,Local ,Unknown,,,2025-04-04\n" +
		"4,2018-01-01,MINUSCA-2018-01-4,MINUSCA,Fatality,,ZZ [Undetermined],Local ,Unknown,,,2025-04-04\n"
	rows, errs, err := forces.ReadFatalities(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	wantRowErrors(t, errs, []forces.RowError{
		{Line: 3, Field: "incident_date"}, {Line: 3, Field: "isocode3"}, {Line: 3, Field: "gender"},
		{Line: 3, Field: "casualty_personnel_type"}, {Line: 3, Field: "type_of_incident"},
		{Line: 4, Field: "id", Message: "repeats line 2"}, {Line: 4, Field: "type_of_casualty"},
	})
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if f := rows[1].Fatality; f.Country != "" || f.Sex != forces.SexUnknown || f.PersonnelType != forces.PersonCivilianLocal || f.IncidentType != forces.IncidentOther {
		t.Errorf("undetermined row: %+v", f)
	}
}

func TestRecordFatality(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ok := &forces.Fatality{IncidentDate: date("2024-06-01"), Country: "egy", PersonnelType: forces.PersonMilitary, IncidentType: forces.IncidentMalicious, EventID: peaceops.NewID()}
		if err := f.svc.RecordFatality(pablo, "MINUSCA", ok); err != nil {
			t.Fatal(err)
		}
		if ok.Country != "EGY" || ok.Sex != forces.SexUnknown {
			t.Errorf("normalised %+v", ok)
		}
		bad := &forces.Fatality{Country: "XX", PersonnelType: "general", IncidentType: "war", Sex: "x", EventID: "e1"}
		if err := f.svc.RecordFatality(pablo, "MINUSCA", bad); !slices.Equal(fieldsOf(err), []string{"incident_date", "country", "personnel_type", "incident_type", "sex", "event_id"}) {
			t.Errorf("bad fatality: %v", err)
		}
		if err := f.svc.RecordFatality(vera, "MINUSCA", ok); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("viewer records: %v", err)
		}
		list, _, err := f.svc.FindFatalities(vera, "MINUSCA", 10, "")
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v %v", list, err)
		}
		if n := auditCount(t, db, "fatality", "create"); n != 1 {
			t.Errorf("%d audit entries", n)
		}
	})
}

// TestFatalitiesFidelity imports the UN fatality records of every mission
// and checks the counts by mission, year and incident type against the raw
// file, counted here without the importer.
func TestFatalitiesFidelity(t *testing.T) {
	path := shareddata.Path(t, "un-pk-fatalities", "DPPADPOSS-FATALITIES.csv")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The file's incident types, as peaceops names them.
	incident := map[string]string{"Malicious Act": "malicious_act", "Accident": "accident", "Illness": "illness",
		"Self-Inflicted": "self_inflicted", "To Be Determined": "to_be_determined", "Unknown": "other"}
	want := map[string]map[string]int{} // mission -> "year incident" -> n
	code := regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)
	var codes, unfit []string
	for _, r := range recs[1:] {
		m := r[3]
		if want[m] == nil {
			want[m] = map[string]int{}
			if code.MatchString(m) {
				codes = append(codes, m)
			} else {
				unfit = append(unfit, m)
			}
		}
		want[m][r[1][:4]+" "+incident[r[8]]]++
	}
	slices.Sort(unfit)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.createMissions(t, codes)
		open := func() *os.File {
			fh, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fh.Close() })
			return fh
		}
		res, err := f.svc.ImportFatalities(f.sys, open(), forces.ImportOptions{Source: "DPPADPOSS-FATALITIES.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Read != len(recs)-1 || !slices.Equal(res.Absent, unfit) {
			t.Errorf("read %d, absent %v; want %d and %v", res.Read, res.Absent, len(recs)-1, unfit)
		}
		again, err := f.svc.ImportFatalities(f.sys, open(), forces.ImportOptions{Source: "DPPADPOSS-FATALITIES.csv"})
		if err != nil || again.Imported != 0 || again.Skipped != again.Read {
			t.Errorf("second import %+v %v", again, err)
		}
		total := 0
		for _, m := range codes {
			counts, err := f.svc.FatalityCounts(f.sys, m)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, c := range counts {
				got[strings.TrimSpace(strings.Join([]string{itoa(c.Year), string(c.IncidentType)}, " "))] = c.Fatalities
				total += c.Fatalities
			}
			if !mapsEqual(got, want[m]) {
				t.Errorf("%s: stored %v, file %v", m, got, want[m])
			}
		}
		if total != res.Imported {
			t.Errorf("counted %d, imported %d", total, res.Imported)
		}
		t.Logf("%d fatalities of %d missions reproduced; %v skipped (not mission codes)", total, len(codes), unfit)
	})
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
