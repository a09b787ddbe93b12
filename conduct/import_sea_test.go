package conduct_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

const seaHeader = "Date,Mission,Date of incident,Personnel Type,Nationality,Victim,Allegation,Paternity claim,Paternity established,NIO appointed,Investigation (days),Result,Interim Action,Final Action,Referral for criminal accountability\n"

func TestParseSEA(t *testing.T) {
	good := seaHeader +
		`7/2024,MINUSCA,Unspecified / 2023,"Military (MC),2",South Africa,"Child (1)` + "\n\n" + `Adult (2)","SA (Rape)` + "\n\n" + `SE (Transactional sex)",Yes,Pending,Yes,TCC (Pending),Pending (1),UN Payments suspended (withheld) (1),"UN Repatriation (1)` + "\n\n" + `NG Jail (1)",Yes` + "\n" +
		`1/2016,UNMISS,Unknown,Civilian (UNV),,Adult,SE (Exploitative relationship),No,,,UN OIOS (238),Unsubstantiated (Insufficient evidence) (1),None (1),UN Action closed (1),` + "\n"
	recs, err := conduct.ParseSEA(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.Reported != "2024-07" || r.Mission != "MINUSCA" || r.PersonnelCategory != "military" || r.Perpetrators != 2 ||
		r.VictimsChild != 1 || r.VictimsAdult != 2 || strings.Join(r.Categories, ",") != "sexual-abuse,sexual-exploitation" ||
		!r.PaternityClaim || r.Status != "under-investigation" || strings.Join(r.InterimMeasures, ",") != "payment-suspension" ||
		strings.Join(r.Actions, ",") != "criminal-referral,jail,repatriation" || r.Nationality != "South Africa" {
		t.Errorf("record 1 = %+v", r)
	}
	r = recs[1]
	if r.Row != 9 || r.PersonnelCategory != "un-volunteer" || r.VictimsAdult != 1 || r.InvestigationDays != 238 ||
		r.Status != "unsubstantiated" || strings.Join(r.Actions, ",") != "none" || r.Perpetrators != 1 {
		t.Errorf("record 2 = %+v", r)
	}

	for _, tt := range []struct {
		name, in string
		fields   []string
	}{
		{"ErrEmpty", "", nil},
		{"ErrMissingColumns", "Date,Mission\n1/2020,X\n", nil},
		{"ErrNoRows", seaHeader, nil},
		{"ErrEveryBadRow", seaHeader +
			`13/2024,minusca,,Soldier,,Adult (x),Theft,Maybe,,,OIOS,Lost,,,` + "\n" +
			`1/2020,MINUSCA,,"Military (MC),1",,Adult (1),SE (Other),No,,,UN OIOS (12),Substantiated (x) (1),,,` + "\n" +
			`2/2020,MINUSCA,,"Police (FPU),1",,Adult (1),SE (Other),No,,,UN OIOS (12),,,,` + "\n",
			[]string{"row 2: Date", "row 2: Mission", "row 2: Personnel Type", "row 2: Victim", "row 2: Allegation",
				"row 2: Paternity claim", "row 2: Investigation (days)", "row 2: Result", "row 4: Result"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := conduct.ParseSEA(strings.NewReader(tt.in))
			if peaceops.ErrorCode(err) != peaceops.EINVALID || recs != nil {
				t.Fatalf("ParseSEA = %d records, %v; want EINVALID", len(recs), err)
			}
			var got []string
			for _, f := range peaceops.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if tt.fields != nil && strings.Join(got, "|") != strings.Join(tt.fields, "|") {
				t.Errorf("fields %q, want %q (%v)", got, tt.fields, err)
			}
		})
	}
}

// TestSEAFidelity imports the UN's published table and holds the
// statistics to the publisher's counts of allegations by year and mission,
// counted here straight from the file with encoding/csv.
func TestSEAFidelity(t *testing.T) {
	path := shareddata.Path(t, "un-sea-allegations", "table_of_allegations_as_of_july_2024.csv")
	want := map[string]int{} // "year|mission"
	total := 0
	{
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			_, year, _ := strings.Cut(row[0], "/")
			want[year+"|"+row[1]]++
			total++
		}
	}
	if total != 753 {
		t.Fatalf("the file has %d rows, its SOURCE note says 753", total)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		file, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		recs, err := conduct.ParseSEA(file)
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.conduct.ImportSEA(f.system, "", recs)
		if err != nil || res.Rows != 753 {
			t.Fatalf("import = %+v, %v", res, err)
		}
		if res, err := f.conduct.ImportSEA(f.system, "", recs); err != nil || res.Replaced != 753 {
			t.Fatalf("re-import = %+v, %v", res, err)
		}
		if _, err := f.conduct.ImportSEA(officer, "", recs); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("a conduct officer imports: %v", err)
		}
		st, err := conduct.UnsuppressedStatsForTest(f.conduct, anon, conduct.StatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		sum := 0
		for _, p := range st.Tables {
			if p.Key != conduct.TableMission {
				continue
			}
			for _, r := range p.Rows {
				for j, c := range r.Cells {
					if c.Value == nil {
						t.Fatalf("suppressed cell with threshold 1: %+v", c)
					}
					if *c.Value > 0 {
						got[p.Cols[j]+"|"+r.Label] = *c.Value
						sum += *c.Value
					}
				}
			}
			if *p.Grand.Value != 753 {
				t.Errorf("grand total %d", *p.Grand.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %d allegations, publisher %d", k, got[k], v)
				}
			}
			t.Fatalf("counts differ (%d keys, want %d)", len(got), len(want))
		}
		if got["2016|MINUSCA"] == 0 || sum != 753 {
			t.Errorf("sum %d", sum)
		}
		// The public statistics suppress: no cell under 3 is published.
		pub, err := f.conduct.Stats(anon, conduct.StatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pub.Tables {
			checkPublished(t, p, 3)
		}
	})
}

// checkPublished fails when a published table shows a small value or lets
// a hidden cell be recovered by subtraction.
func checkPublished(t *testing.T, p conduct.Published, threshold int) {
	t.Helper()
	m := published(p)
	for i := range m {
		for j, v := range m[i] {
			if v > 0 && v < threshold {
				t.Errorf("%s: %d published at %d,%d", p.Key, v, i, j)
			}
		}
	}
	if got := recoverableBlind(m); len(got) > 0 {
		t.Errorf("%s: hidden cells %v recoverable", p.Key, got)
	}
}

// recoverableBlind is recoverable without the truth to compare with.
func recoverableBlind(m [][]int) [][2]int {
	cp := make([][]int, len(m))
	for i := range m {
		cp[i] = append([]int(nil), m[i]...)
	}
	return recoverable(cp, nil)
}

func FuzzParseSEA(f *testing.F) {
	f.Add(seaHeader + `7/2024,MINUSCA,,"Military (MC),2",South Africa,Adult (1),SA (Rape),Yes,,,TCC (Pending),Pending (1),,,` + "\n")
	f.Add(seaHeader + `1/2016,UNMISS,Unknown,Civilian (UNV),,Adult,SE (Exploitative relationship),No,,,UN OIOS (238),N/A (1),None (1),UN Action closed (1),` + "\n")
	f.Add("Date\n\"unterminated")
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := conduct.ParseSEA(strings.NewReader(in))
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID || recs != nil {
				t.Fatalf("error %v with %d records", err, len(recs))
			}
			return
		}
		for _, r := range recs {
			if r.Year < 1990 || r.Mission == "" || r.PersonnelCategory == "" || len(r.Categories) == 0 || r.Status == "" || r.Perpetrators < 1 {
				t.Fatalf("accepted record %+v", r)
			}
		}
	})
}
