package forces_test

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

const genderHeader = `"","Date","Contributor","Contributor ISO-3","Mission","Individual Police Male","Individual Police Female","Individual Police Total","Formed Police Units Male","Formed Police Units Female","Formed Police Units Total","Experts on Mission Male","Experts on Mission Female","Experts on Mission Total","Troops Male","Troops Female","Troops Total","Total Male","Total Female","Total Total"` + "\n"

func TestReadContributions(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		returns int
		errs    []forces.RowError
	}{
		{"OK", genderHeader +
			`"1",2013-12-31,"Rwanda","RWA","UNMISS",1,2,3,0,0,0,NA,NA,NA,800,40,840,801,42,843` + "\n", 4, nil},
		{"ZeroRowGivesNothing", genderHeader +
			`"1",2013-12-31,"Rwanda","RWA","UNMISS",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0` + "\n", 0, nil},
		{"BadRowsWithLines", genderHeader +
			`"1",2013-12-31,"Rwanda","RWA","UNMISS",1,0,1,0,0,0,0,0,0,0,0,0,1,0,1` + "\n" +
			`"2",2013-13-31,"Nowhere","XXX","unmiss",1,0,1,0,0,0,0,0,0,0,0,0,1,0,1` + "\n" +
			`"3",2013-12-31,"Rwanda","RWA","UNMISS",1,0,2,0,0,0,0,0,0,x,0,0,1,0,1` + "\n" +
			`"4",2013-12-31,"Rwanda","RWA","UNMISS",1,0,1,0,0,0,0,0,0,0,0,0,1,0,1` + "\n",
			1, []forces.RowError{
				{Line: 3, Field: "Date"}, {Line: 3, Field: "Contributor ISO-3"}, {Line: 3, Field: "Mission"},
				{Line: 4, Field: "Individual Police Total"}, {Line: 4, Field: "Troops Male"}, {Line: 4, Field: "Total Total"},
				{Line: 5, Message: "repeats line 2"},
			}},
		{"Monthly", "Date,Contributor_ISO-3,Mission,Experts_on_Mission,Formed_Police_Units,Inidividual_Police,Civilian_Police,Troops,Observers,Total\r\n" +
			"2014-05-31,RWA,MINUSCA,NA,140,10,150,850,NA,1000\r\n" +
			"2014-05-31,PAK,MINUSCA,5,NA,NA,NA,NA,5,6\r\n", 3, []forces.RowError{{Line: 3, Field: "Total"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, errs, err := forces.ReadContributions(strings.NewReader(tt.body), "test.csv")
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != tt.returns {
				t.Errorf("%d returns, want %d: %+v", len(rs), tt.returns, rs)
			}
			wantRowErrors(t, errs, tt.errs)
		})
	}
	if _, _, err := forces.ReadContributions(strings.NewReader("a,b,c\n1,2,3\n"), "x"); peaceops.ErrorCode(err) != peaceops.EINVALID {
		t.Errorf("unknown header: %v", err)
	}
}

func wantRowErrors(t *testing.T, got []*forces.RowError, want []forces.RowError) {
	t.Helper()
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("got %v", g)
		}
		t.Fatalf("%d row errors, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.Line || g.Field != w.Field || (w.Message != "" && !strings.Contains(g.Message, w.Message)) {
			t.Errorf("row error %d = %v; want line %d field %q %q", i, g, w.Line, w.Field, w.Message)
		}
	}
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body := "Date,Contributor_ISO-3,Mission,Experts_on_Mission,Formed_Police_Units,Inidividual_Police,Troops,Total\n" +
			"2014-05-31,RWA,MINUSCA,NA,140,10,850,1000\n" +
			"2014-05-31,PAK,MINUSCA,5,NA,NA,NA,6\n"
		res, err := f.svc.ImportContributions(f.sys, strings.NewReader(body), forces.ImportOptions{Mission: "MINUSCA", Source: "bad.csv"})
		if peaceops.ErrorCode(err) != peaceops.EINVALID || len(res.Errors) != 1 || res.Errors[0].Line != 3 {
			t.Fatalf("import with a bad row: %v %+v", err, res.Errors)
		}
		if points, _ := f.svc.Strength(f.sys, "MINUSCA", "", ""); len(points) != 0 {
			t.Errorf("a refused import wrote %+v", points)
		}
		good := strings.Replace(body, ",NA,6\n", ",NA,5\n", 1) + "2014-05-31,EGY,MONUSCO,NA,NA,NA,100,100\n2014-05-31,EGY,UNMISS,NA,NA,NA,100,100\n"
		if _, err := f.svc.ImportContributions(vera, strings.NewReader(good), forces.ImportOptions{Mission: "MINUSCA"}); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("viewer imports: %v", err)
		}
		for range 2 { // twice: the second changes nothing
			res, err = f.svc.ImportContributions(f.sys, strings.NewReader(good), forces.ImportOptions{Source: "good.csv"})
			if err != nil {
				t.Fatal(err)
			}
		}
		if res.Imported != 5 || res.Skipped != 1 || !slices.Equal(res.Missions, []string{"MINUSCA", "MONUSCO"}) || !slices.Equal(res.Absent, []string{"UNMISS"}) {
			t.Errorf("result %+v", res)
		}
		points, err := f.svc.Strength(vera, "MINUSCA", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(points) != 1 || points[0].Total != 1005 {
			t.Errorf("points %+v", points)
		}
		if n := auditCount(t, db, "strength", "import"); n != 4 {
			t.Errorf("%d import audit entries, want 4 (2 missions x 2 imports)", n)
		}
	})
}

// rawTotals sums the publisher's totals per mission and month straight from
// a raw IPI file, without the importer: "Total Total" of the gender file,
// "Total" of the monthly ones, and the per-post totals.
func rawTotals(t *testing.T, path string) map[string]map[forces.Month]map[string]int {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	total, posts := "Total", map[string]string{"Troops": "troops", "Formed_Police_Units": "fpu", "Inidividual_Police": "ipo", "Experts_on_Mission": "military_experts"}
	if _, ok := idx["Total Total"]; ok {
		total, posts = "Total Total", map[string]string{"Troops Total": "troops", "Formed Police Units Total": "fpu", "Individual Police Total": "ipo", "Experts on Mission Total": "military_experts", "Troops Female": "women", "Individual Police Female": "women", "Formed Police Units Female": "women", "Experts on Mission Female": "women"}
	}
	out := map[string]map[forces.Month]map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		num := func(col string) int {
			if v := rec[idx[col]]; v != "NA" {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Fatalf("%s: %q", col, v)
				}
				return n
			}
			return 0
		}
		mission, month := rec[idx["Mission"]], forces.Month(rec[idx["Date"]][:7])
		if out[mission] == nil {
			out[mission] = map[forces.Month]map[string]int{}
		}
		if out[mission][month] == nil {
			out[mission][month] = map[string]int{}
		}
		out[mission][month]["total"] += num(total)
		for col, key := range posts {
			out[mission][month][key] += num(col)
		}
	}
	return out
}

// TestContributionsFidelity imports every IPI contribution file for every
// mission and checks that the strength per mission-month equals the
// publisher's totals summed from the raw files independently: total,
// troops, formed and individual police, experts on mission, and women.
func TestContributionsFidelity(t *testing.T) {
	dir := filepath.Dir(shareddata.Path(t, "ipi-peacekeeping-contributions", "tcc_Gender.Full.csv"))
	files, _ := filepath.Glob(filepath.Join(dir, "ppp_contributions_*.csv"))
	files = append([]string{filepath.Join(dir, "tcc_Gender.Full.csv")}, files...)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		want := map[string]map[forces.Month]map[string]int{}
		for _, p := range files {
			for m, months := range rawTotals(t, p) {
				if want[m] == nil {
					want[m] = map[forces.Month]map[string]int{}
				}
				for mo, v := range months {
					want[m][mo] = v
				}
			}
		}
		var codes []string
		for m := range want {
			codes = append(codes, m)
		}
		slices.Sort(codes)
		f.createMissions(t, codes)
		for _, p := range files {
			fh, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.ImportContributions(f.sys, fh, forces.ImportOptions{Source: filepath.Base(p)})
			fh.Close()
			if err != nil {
				for _, e := range res.Errors[:min(5, len(res.Errors))] {
					t.Log(e)
				}
				t.Fatalf("%s: %v", filepath.Base(p), err)
			}
			if len(res.Absent) != 0 {
				t.Errorf("%s: absent missions %v", filepath.Base(p), res.Absent)
			}
		}
		monthsChecked := 0
		for _, m := range codes {
			points, err := f.svc.Strength(f.sys, m, "", "")
			if err != nil {
				t.Fatal(err)
			}
			got := map[forces.Month]forces.StrengthPoint{}
			for _, p := range points {
				got[p.Month] = p
			}
			for mo, w := range want[m] {
				p := got[mo]
				if w["total"] == 0 && p.Month == "" {
					continue // a mission-month of zeros gives no return
				}
				monthsChecked++
				c := p.ByCategory
				if p.Total != w["total"] || c["troops"] != w["troops"] || c["fpu"] != w["fpu"] || c["ipo"] != w["ipo"] ||
					c["military_experts"] != w["military_experts"] || p.Women != w["women"] {
					t.Errorf("%s %s: stored %+v, publisher %v", m, mo, p, w)
				}
			}
			if len(points) > len(want[m]) {
				t.Errorf("%s: %d months stored, %d in the files", m, len(points), len(want[m]))
			}
		}
		if monthsChecked < 900 {
			t.Errorf("only %d mission-months checked", monthsChecked)
		}
		t.Logf("%d mission-months of %d missions reproduced", monthsChecked, len(codes))
	})
}

// publisherMissionTotals reads a publisher's mission x month table
// (tcc_Data.Mission.csv or ppp_data_mission.csv): total per mission-month.
func publisherMissionTotals(t *testing.T, path, dateCol, missionCol, totalCol string) map[string]map[forces.Month]int {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	out := map[string]map[forces.Month]int{}
	for _, rec := range recs[1:] {
		m := rec[idx[missionCol]]
		if out[m] == nil {
			out[m] = map[forces.Month]int{}
		}
		n, _ := strconv.Atoi(rec[idx[totalCol]]) // NA: 0
		out[m][forces.Month(rec[idx[dateCol]][:7])] = n
	}
	return out
}

// TestContributionsAgainstMissionTables compares the imported strength with
// the publisher's own mission x month tables. The 2014 monthly files agree
// with ppp_data_mission.csv in every mission-month. The 2009-2014 gender
// file agrees with tcc_Data.Mission.csv in all but 19 of its 927
// mission-months (UNMIS and UNMISS 2010-2011 among them): the publisher's
// two tables differ there, and peaceops keeps the contributor-level figures.
func TestContributionsAgainstMissionTables(t *testing.T) {
	dir := filepath.Dir(shareddata.Path(t, "ipi-peacekeeping-contributions", "tcc_Gender.Full.csv"))
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	gender := filepath.Join(dir, "tcc_Gender.Full.csv")
	monthly, _ := filepath.Glob(filepath.Join(dir, "ppp_contributions_*.csv"))
	var codes []string
	for _, p := range append(monthly, gender) {
		for m := range rawTotals(t, p) {
			if !slices.Contains(codes, m) {
				codes = append(codes, m)
			}
		}
	}
	f.createMissions(t, codes)
	for _, p := range append(monthly, gender) {
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ImportContributions(f.sys, fh, forces.ImportOptions{Source: filepath.Base(p)}); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	stored := map[string]map[forces.Month]int{}
	for _, m := range codes {
		points, err := f.svc.Strength(f.sys, m, "", "")
		if err != nil {
			t.Fatal(err)
		}
		stored[m] = map[forces.Month]int{}
		for _, p := range points {
			stored[m][p.Month] = p.Total
		}
	}
	compare := func(table map[string]map[forces.Month]int, from, to forces.Month) (agree, differ int) {
		for m, months := range table {
			for mo, n := range months {
				if mo < from || mo > to {
					continue
				}
				if len(stored[m]) == 0 {
					continue // a mission of the table absent from the contributor files
				}
				if stored[m][mo] == n {
					agree++
				} else {
					differ++
					t.Logf("%s %s: contributors add up to %d, the mission table says %d", m, mo, stored[m][mo], n)
				}
			}
		}
		return agree, differ
	}
	ppp := publisherMissionTotals(t, filepath.Join(dir, "ppp_data_mission.csv"), "Date", "Mission", "Total")
	if agree, differ := compare(ppp, "2014-03", "2014-07"); differ != 0 || agree != 88 {
		t.Errorf("2014 monthly files: %d mission-months agree with ppp_data_mission, %d differ; want 88 and 0", agree, differ)
	}
	tcc := publisherMissionTotals(t, filepath.Join(dir, "tcc_Data.Mission.csv"), "date", "mission", "total")
	if agree, differ := compare(tcc, "2009-11", "2014-02"); differ != 19 || agree != 908 {
		t.Errorf("gender file: %d mission-months agree with tcc_Data.Mission, %d differ; want 908 and 19", agree, differ)
	}
}
