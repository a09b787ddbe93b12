package missions_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// geoPKO opens the three Geo-PKO v2.3 aggregate files of the shared data.
func geoPKO(t *testing.T) missions.GeoPKOFiles {
	t.Helper()
	dir := filepath.Dir(shareddata.Path(t, "geo-pko-v2.3-aggregates", "FrontMap_v.2.3.csv"))
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	return missions.GeoPKOFiles{Front: open("FrontMap_v.2.3.csv"), UnitTypes: open("TTMap_v.2.3.csv"), Contributors: open("TCCMap_v.2.3.csv")}
}

func TestReadGeoPKOMINUSCA(t *testing.T) {
	files := geoPKO(t)
	// The independent count: distinct (year, place) pairs of MINUSCA in
	// FrontMap, read with nothing but encoding/csv.
	raw, err := os.ReadFile(shareddata.Path(t, "geo-pko-v2.3-aggregates", "FrontMap_v.2.3.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, r := range recs[1:] {
		if r[0] == "MINUSCA" {
			want[r[1]+"|"+r[3]] = true
		}
	}

	sites, err := missions.ReadGeoPKO(files, "MINUSCA")
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != len(want) {
		t.Fatalf("%d sites, want %d distinct (year, place) pairs", len(sites), len(want))
	}
	var bangui *missions.Site
	for i, s := range sites {
		if s.Mission != "MINUSCA" || s.Source != missions.SourceGeoPKO {
			t.Fatalf("site %d: mission %q source %q", i, s.Mission, s.Source)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("site %s %d: %v", s.Name, s.Year, err)
		}
		if s.Year == 2019 && s.Name == "Bangui" {
			bangui = &sites[i]
		}
	}
	// Bangui 2019 is on two rows of FrontMap (two UN maps of the year):
	// one site, the year's average troops, the mission headquarters.
	if bangui == nil {
		t.Fatal("no Bangui 2019")
	}
	if bangui.Troops != 4135 || bangui.HQ != "mission" {
		t.Errorf("Bangui 2019: troops %d hq %q, want 4135 mission", bangui.Troops, bangui.HQ)
	}
	for _, u := range []string{"infantry", "medical", "aviation", "observers", "engineering", "transport"} {
		if !slices.Contains(bangui.Units, u) {
			t.Errorf("Bangui 2019 units %v lack %s", bangui.Units, u)
		}
	}
	if !strings.Contains(bangui.Contributors, "Rwanda (950)") {
		t.Errorf("Bangui 2019 contributors %q", bangui.Contributors)
	}
	if bangui.Location.Lat < 4.3 || bangui.Location.Lat > 4.5 || bangui.Location.Lon < 18.4 || bangui.Location.Lon > 18.7 {
		t.Errorf("Bangui at %+v", bangui.Location)
	}
}

func TestReadGeoPKOErrors(t *testing.T) {
	const header = "mission,year,country,location,latitude,longitude,Infantry,NoTroops,Reserve,hq,UNPOL,Med,Av,UNMO,ave.no.troops\n"
	for _, tt := range []struct {
		name, front, want string
	}{
		{"empty", "", "FrontMap: the file is empty"},
		{"not Geo-PKO", "a,b,c\n1,2,3\n", "the header lacks mission, year, location"},
		{"bad year", header + "X,20x9,C,Bangui,4.39,18.55,0,0,0,0,0,0,0,0,0\n", "FrontMap line 2, column year: \"20x9\" is not a year"},
		{"off Earth", header + "X,2019,C,Bangui,94.39,18.55,0,0,0,0,0,0,0,0,0\n", "FrontMap line 2, column latitude: (94.39, 18.55) is not a position on Earth"},
		{"bad hq", header + "X,2019,C,Bangui,4.39,18.55,0,0,0,5,0,0,0,0,0\n", "FrontMap line 2, column hq: must be 0, 1, 2 or 3, not 5"},
		{"bad number", header + "X,2019,C,Bangui,4.39,18.55,0,0,0,0,0,0,0,0,many\n", "FrontMap line 2, column ave.no.troops: \"many\" is not a number"},
		{"no place", header + "X,2019,C,,4.39,18.55,0,0,0,0,0,0,0,0,0\n", "FrontMap line 2, column location: is empty"},
		{"short row", header + "X,2019\n", "FrontMap line 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sites, err := missions.ReadGeoPKO(missions.GeoPKOFiles{Front: strings.NewReader(tt.front)}, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if sites != nil {
				t.Errorf("%d sites returned with an error", len(sites))
			}
		})
	}
}

func FuzzReadGeoPKO(f *testing.F) {
	f.Add("mission,year,country,location,latitude,longitude,Infantry,NoTroops,Reserve,hq,UNPOL,Med,Av,UNMO,ave.no.troops\nM,2019,C,Bangui,4.39,18.55,650,650,0,3,1,0,0,1,700\n")
	f.Add("mission,year,location\n\"x")
	f.Fuzz(func(t *testing.T, front string) {
		sites, err := missions.ReadGeoPKO(missions.GeoPKOFiles{Front: strings.NewReader(front)}, "")
		if err != nil {
			if peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Fatalf("error code %q: %v", peaceops.ErrorCode(err), err)
			}
			return
		}
		for _, s := range sites {
			if err := s.Validate(); err != nil {
				t.Fatalf("reader returned an invalid site %+v: %v", s, err)
			}
		}
	})
}

func TestDeployments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if err := f.missions.CreateMission(f.system, minusca()); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"madmin", "viewer", "outsider"} {
			f.user(t, u, false)
		}
		if err := f.access.AddMember(f.system, "MINUSCA", "madmin", peaceops.RoleMissionAdmin); err != nil {
			t.Fatal(err)
		}
		if err := f.access.AddMember(f.system, "MINUSCA", "viewer", peaceops.RoleViewer); err != nil {
			t.Fatal(err)
		}
		madmin, viewer, outsider := f.as(t, "madmin"), f.as(t, "viewer"), f.as(t, "outsider")

		site := func(year int, name string, troops int) missions.Site {
			return missions.Site{Year: year, Name: name, Location: geo.Point{Lon: 20.67, Lat: 5.76}, Troops: troops, Units: []string{"infantry"}}
		}
		n, err := f.missions.ImportDeployments(madmin, "MINUSCA", "mission", []missions.Site{site(2023, "Bambari", 1450), site(2024, "Bambari", 1300), site(2024, "Bria", 800)})
		if err != nil || n != 3 {
			t.Fatalf("import: %d, %v", n, err)
		}
		d, err := f.missions.FindDeployments(viewer, "MINUSCA", 0)
		if err != nil {
			t.Fatal(err)
		}
		if d.Year != 2024 || !slices.Equal(d.Years, []int{2023, 2024}) || len(d.Sites) != 2 || d.Sites[0].Name != "Bambari" || d.Sites[0].Troops != 1300 {
			t.Fatalf("latest year: %+v", d)
		}
		if d, _ := f.missions.FindDeployments(viewer, "MINUSCA", 2023); len(d.Sites) != 1 || d.Sites[0].Troops != 1450 {
			t.Fatalf("2023: %+v", d)
		}

		// One bad site imports nothing and names itself; the old rows stay.
		bad := site(2024, "Ndélé", -5)
		_, err = f.missions.ImportDeployments(madmin, "MINUSCA", "mission", []missions.Site{site(2024, "Obo", 300), bad})
		if peaceops.ErrorCode(err) != peaceops.EINVALID || !strings.Contains(err.Error(), `site "Ndélé" (2024): troops must be between 0 and 100000`) {
			t.Fatalf("bad site: %v", err)
		}
		_, err = f.missions.ImportDeployments(madmin, "MINUSCA", "mission", []missions.Site{site(2024, "Obo", 300), site(2024, "Obo", 200)})
		if peaceops.ErrorCode(err) != peaceops.EINVALID || !strings.Contains(err.Error(), `"Obo" appears twice in 2024`) {
			t.Fatalf("duplicate site: %v", err)
		}
		if d, _ := f.missions.FindDeployments(viewer, "MINUSCA", 2024); len(d.Sites) != 2 {
			t.Fatalf("a failed import changed the sites: %+v", d.Sites)
		}
		// Importing again replaces that source's rows only.
		if _, err := f.missions.ImportDeployments(madmin, "MINUSCA", missions.SourceGeoPKO, []missions.Site{site(2024, "Obo", 300)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.missions.ImportDeployments(madmin, "MINUSCA", "mission", []missions.Site{site(2024, "Bria", 900)}); err != nil {
			t.Fatal(err)
		}
		if d, _ := f.missions.FindDeployments(viewer, "MINUSCA", 2024); len(d.Sites) != 2 || d.Sites[0].Name != "Bria" || d.Sites[1].Name != "Obo" {
			t.Fatalf("after replacing one source: %+v", d.Sites)
		}

		// Access: viewers may not import; other missions' users find nothing.
		if _, err := f.missions.ImportDeployments(viewer, "MINUSCA", "mission", nil); peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
			t.Errorf("viewer import: %v", err)
		}
		if _, err := f.missions.FindDeployments(outsider, "MINUSCA", 0); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("outsider read: %v", err)
		}
	})
}
