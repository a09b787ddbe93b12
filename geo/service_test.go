package geo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

var (
	system  = peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
	admin   = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "ada", Admin: true})
	analyst = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "ana",
		Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleAnalyst}}})
	anonymous = context.Background()
)

func intp(v int) *int { return &v }

// square returns a Polygon over lon x..x+size, lat y..y+size.
func square(x, y, size float64) *geo.Geometry {
	return &geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}}
}

// The real CAR admin 1 and admin 2 boundaries: imported once, imported
// again without change, listed, found and used to place points.
func TestImportCOD(t *testing.T) {
	admin1, admin2 := readCOD(t, 1), readCOD(t, 2)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := geo.NewService(db)
		for _, tt := range []struct {
			level int
			areas []geo.Area
			n     int
		}{{1, admin1, 17}, {2, admin2, 72}} {
			res, err := s.ImportAreas(system, "CAF", tt.level, tt.areas)
			if err != nil {
				t.Fatal(err)
			}
			if res != (geo.ImportResult{Created: tt.n}) {
				t.Fatalf("admin%d: first import %+v, want %d created", tt.level, res, tt.n)
			}
		}
		// A re-import of the same files changes nothing.
		for _, tt := range []struct {
			level int
			areas []geo.Area
			n     int
		}{{1, admin1, 17}, {2, admin2, 72}} {
			res, err := s.ImportAreas(admin, "CAF", tt.level, tt.areas)
			if err != nil {
				t.Fatal(err)
			}
			if res != (geo.ImportResult{Unchanged: tt.n}) {
				t.Fatalf("admin%d: re-import %+v, want %d unchanged", tt.level, res, tt.n)
			}
		}

		all, err := s.FindAreas(analyst, geo.AreaFilter{Country: "CAF"})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 17+72 {
			t.Fatalf("%d areas stored, want 89", len(all))
		}
		for _, a := range all {
			if a.Version != 1 || a.Geometry != nil || a.BBox == (geo.BBox{}) {
				t.Fatalf("listed area %s: version %d, geometry %v, bbox %+v", a.PCode, a.Version, a.Geometry != nil, a.BBox)
			}
		}
		for level, n := range map[int]int{1: 17, 2: 72, 3: 0} {
			got, err := s.FindAreas(analyst, geo.AreaFilter{Country: "CAF", Level: intp(level)})
			if err != nil || len(got) != n {
				t.Errorf("level %d: %d areas (%v), want %d", level, len(got), err, n)
			}
		}
		children, err := s.FindAreas(analyst, geo.AreaFilter{Parent: "CF71"})
		if err != nil || len(children) != 1 || children[0].PCode != "CF711" {
			t.Errorf("children of CF71 = %+v, %v", children, err)
		}
		kemo, err := s.FindAreas(analyst, geo.AreaFilter{Country: "CAF", Level: intp(1), Query: "KEMO"})
		if err != nil || len(kemo) != 1 || kemo[0].PCode != "CF41" || kemo[0].Name != "Kémo" {
			t.Errorf("query KEMO = %+v, %v", kemo, err)
		}

		b, err := s.FindAreaByPCode(analyst, "CF71")
		if err != nil {
			t.Fatal(err)
		}
		var want geo.Area
		for _, a := range admin1 {
			if a.PCode == "CF71" {
				want = a
			}
		}
		if !reflect.DeepEqual(b.Geometry, want.Geometry) || b.Name != "Bangui" || b.ParentPCode != "CF" ||
			b.Centroid != want.Centroid || b.ValidOn != want.ValidOn || b.Source != "OCHA COD-AB CAF" || b.BBox != want.Geometry.BBox() {
			t.Errorf("stored CF71 differs from the file: %+v", b)
		}

		ix, err := s.Locator(analyst, "CAF")
		if err != nil {
			t.Fatal(err)
		}
		if got := ix.Locate(bangui); len(got) != 2 || got[0].PCode != "CF71" || got[1].PCode != "CF711" {
			t.Fatalf("Locate(Bangui) = %+v", got)
		}
		hits := 0
		for _, a := range admin2 {
			if r, ok := ix.LocateLevel(a.Centroid, 2); ok && r.PCode == a.PCode {
				hits++
			}
		}
		if hits*100 < 95*len(admin2) {
			t.Fatalf("%d of %d centroids placed", hits, len(admin2))
		}

		// One audit entry per import, none per area.
		entries := auditEntries(t, db)
		if len(entries) != 4 {
			t.Fatalf("%d audit entries, want 4", len(entries))
		}
		if e := entries[0]; e.EntityType != "admin_areas" || e.Action != "import" || e.EntityID != "CAF/1" || e.Actor != "system" ||
			!strings.Contains(string(e.After), `"created":17`) || !strings.Contains(string(e.After), `"CF71"`) {
			t.Errorf("first entry %+v %s", e, e.After)
		}
		if e := entries[3]; e.Actor != "ada" || !strings.Contains(string(e.After), `"unchanged":72`) || strings.Contains(string(e.After), "pcodes") {
			t.Errorf("last entry %+v %s", e, e.After)
		}
	})
}

func auditEntries(t *testing.T, db *store.DB) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	err := db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT actor, entity_type, entity_id, action, after FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e store.AuditEntry
			var after string
			if err := rows.Scan(&e.Actor, &e.EntityType, &e.EntityID, &e.Action, &after); err != nil {
				return err
			}
			e.After = json.RawMessage(after)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportAreasUpdates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := geo.NewService(db)
		first := []geo.Area{
			{PCode: "XA1", Name: "Alpha", Level: 1, ParentPCode: "XA", Geometry: square(0, 0, 1), Source: "v1"},
			{PCode: "XA2", Name: "Beta", Level: 1, ParentPCode: "XA", Geometry: square(1, 0, 1), Source: "v1"},
		}
		if _, err := s.ImportAreas(system, "CAF", 1, first); err != nil {
			t.Fatal(err)
		}
		if first[0].Country != "" || first[0].Centroid != (geo.Point{}) {
			t.Fatal("ImportAreas modified the caller's areas")
		}
		a, err := s.FindAreaByPCode(analyst, "XA1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Country != "CAF" || a.Centroid != (geo.Point{Lon: 0.5, Lat: 0.5}) || a.Version != 1 || !a.ValidOn.IsZero() {
			t.Fatalf("stored %+v", a)
		}
		ix1, err := s.Locator(analyst, "CAF")
		if err != nil {
			t.Fatal(err)
		}
		if ix2, _ := s.Locator(analyst, "CAF"); ix2 != ix1 {
			t.Error("Locator rebuilt an unchanged index")
		}

		// Beta moves, Gamma is new, Alpha stays; Gamma's absence later
		// does not delete it.
		db.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
		second := []geo.Area{
			{PCode: "XA1", Name: "Alpha", Level: 1, ParentPCode: "XA", Geometry: square(0, 0, 1), Source: "v1"},
			{PCode: "XA2", Name: "Beta", Level: 1, ParentPCode: "XA", Geometry: square(5, 5, 1), Source: "v1"},
			{PCode: "XA3", Name: "Gamma", Level: 1, ParentPCode: "XA", Geometry: square(2, 0, 1), Source: "v1"},
		}
		res, err := s.ImportAreas(system, "CAF", 1, second)
		if err != nil {
			t.Fatal(err)
		}
		if res != (geo.ImportResult{Created: 1, Updated: 1, Unchanged: 1}) {
			t.Fatalf("result %+v", res)
		}
		b, _ := s.FindAreaByPCode(analyst, "XA2")
		if b.Version != 2 || b.Centroid != (geo.Point{Lon: 5.5, Lat: 5.5}) || !b.UpdatedAt.Equal(db.Now()) || b.CreatedAt.Equal(db.Now()) {
			t.Errorf("moved area %+v", b)
		}
		ix3, err := s.Locator(analyst, "CAF")
		if err != nil {
			t.Fatal(err)
		}
		if ix3 == ix1 || ix3.Len() != 3 {
			t.Fatalf("index not rebuilt after the import: %v", ix3)
		}
		if r, ok := ix3.LocateLevel(geo.Point{Lon: 5.5, Lat: 5.5}, 1); !ok || r.PCode != "XA2" {
			t.Errorf("moved area not found at its new place: %+v", r)
		}
		if _, ok := ix3.LocateLevel(geo.Point{Lon: 1.5, Lat: 0.5}, 1); ok {
			t.Error("moved area still found at its old place")
		}

		// An import through another Service (another server on the same
		// database) is seen too.
		other := geo.NewService(db)
		renamed := []geo.Area{{PCode: "XA1", Name: "Alpha Nord", Level: 1, ParentPCode: "XA", Geometry: square(0, 0, 1), Source: "v2"}}
		if res, err := other.ImportAreas(system, "CAF", 1, renamed); err != nil || res.Updated != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		ix4, err := s.Locator(analyst, "CAF")
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := ix4.LocateLevel(geo.Point{Lon: 0.5, Lat: 0.5}, 1); r.Name != "Alpha Nord" {
			t.Errorf("stale index: %+v", r)
		}
		if n := len(auditEntries(t, db)); n != 3 {
			t.Errorf("%d audit entries, want 3", n)
		}
	})
}

func TestImportAreasAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := geo.NewService(db)
		areas := []geo.Area{{PCode: "XA1", Name: "Alpha", Level: 1, Geometry: square(0, 0, 1)}}
		for _, tt := range []struct {
			name string
			ctx  context.Context
			code string
		}{
			{"ErrAnonymous", anonymous, peaceops.EUNAUTHORIZED},
			{"ErrMissionMember", analyst, peaceops.EFORBIDDEN},
			{"Admin", admin, ""},
			{"System", system, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.ImportAreas(tt.ctx, "CAF", 1, areas)
				if code := peaceops.ErrorCode(err); code != tt.code {
					t.Fatalf("code %q (%v), want %q", code, err, tt.code)
				}
			})
		}
		if _, err := s.FindAreas(anonymous, geo.AreaFilter{}); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
			t.Errorf("anonymous FindAreas: %v", err)
		}
		if _, err := s.FindAreaByPCode(anonymous, "XA1"); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
			t.Errorf("anonymous FindAreaByPCode: %v", err)
		}
		if _, err := s.Locator(anonymous, "CAF"); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
			t.Errorf("anonymous Locator: %v", err)
		}
		if got, err := s.FindAreas(analyst, geo.AreaFilter{}); err != nil || len(got) != 1 {
			t.Errorf("analyst FindAreas: %v %v", got, err)
		}
	})
}

// A bad import stores nothing and audits nothing, and says what is wrong
// with every area.
func TestImportAreasInvalid(t *testing.T) {
	good := geo.Area{PCode: "XA1", Name: "Alpha", Level: 1, Geometry: square(0, 0, 1)}
	for _, tt := range []struct {
		name    string
		country string
		level   int
		areas   []geo.Area
		fields  []string
	}{
		{"ErrCountry", "CF", 1, []geo.Area{good}, []string{`country: "CF" is not an ISO 3166-1 alpha-3 code (e.g. CAF)`}},
		{"ErrLevel", "CAF", 7, []geo.Area{good}, []string{"level: 7 is outside 0..4"}},
		{"ErrNothing", "CAF", 1, nil, []string{"areas: nothing to import"}},
		{"ErrEveryArea", "CAF", 1, []geo.Area{
			good,
			{PCode: "", Name: "", Level: 1, Geometry: square(0, 0, 1)},
			{PCode: "XA3", Name: "Gamma", Country: "SSD", Level: 2, Geometry: geo.Point{Lon: 1, Lat: 1}.Geometry()},
			{PCode: "XA1", Name: "Alpha again", Level: 1, Geometry: square(0, 0, 1)},
			{PCode: "XA4", Name: "Delta", Level: 1, ParentPCode: "XA4", Geometry: &geo.Geometry{Type: geo.TypePolygon, Polygon: [][][2]float64{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}},
		}, []string{
			"areas[1].pcode: required",
			"areas[1].name: required",
			"areas[2].geometry: is a Point, want Polygon or MultiPolygon",
			"areas[2].country: is SSD, but the import is for CAF",
			"areas[2].level: is 2, but the import is for level 1",
			"areas[3].pcode: XA1 repeats areas[0]",
			"areas[4].parent_pcode: an area cannot be its own parent",
			"areas[4].geometry: polygon ring 0 is not closed: first position [0,0] differs from last [0,1]",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				s := geo.NewService(db)
				_, err := s.ImportAreas(system, tt.country, tt.level, tt.areas)
				if code := peaceops.ErrorCode(err); code != peaceops.EINVALID {
					t.Fatalf("code %q (%v), want invalid", code, err)
				}
				var fields []string
				for _, f := range peaceops.ErrorFields(err) {
					fields = append(fields, f.Field+": "+f.Message)
				}
				if strings.Join(fields, "\n") != strings.Join(tt.fields, "\n") {
					t.Errorf("fields\n%s\nwant\n%s", strings.Join(fields, "\n"), strings.Join(tt.fields, "\n"))
				}
				if got, _ := s.FindAreas(analyst, geo.AreaFilter{}); len(got) != 0 {
					t.Errorf("%d areas stored by a failed import", len(got))
				}
				if n := len(auditEntries(t, db)); n != 0 {
					t.Errorf("%d audit entries for a failed import", n)
				}
			})
		})
	}
}

// A P-code already stored for another country or level is a conflict,
// and the import that meets it stores nothing.
func TestImportAreasConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := geo.NewService(db)
		if _, err := s.ImportAreas(system, "CAF", 1, []geo.Area{{PCode: "XA1", Name: "Alpha", Level: 1, Geometry: square(0, 0, 1)}}); err != nil {
			t.Fatal(err)
		}
		_, err := s.ImportAreas(system, "CAF", 2, []geo.Area{
			{PCode: "XA11", Name: "Alpha One", Level: 2, ParentPCode: "XA1", Geometry: square(0, 0, 0.5)},
			{PCode: "XA1", Name: "Alpha", Level: 2, Geometry: square(0, 0, 1)},
		})
		if code := peaceops.ErrorCode(err); code != peaceops.ECONFLICT {
			t.Fatalf("code %q (%v), want conflict", code, err)
		}
		if msg := peaceops.ErrorMessage(err); msg != "P-code XA1 is already stored for CAF level 1, not CAF level 2" {
			t.Errorf("message %q", msg)
		}
		if _, err := s.FindAreaByPCode(analyst, "XA11"); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("XA11 stored by a failed import: %v", err)
		}
	})
}

func TestFindAreas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := geo.NewService(db)
		imports := []struct {
			country string
			level   int
			areas   []geo.Area
		}{
			{"CAF", 0, []geo.Area{{PCode: "CF", Name: "République centrafricaine", Geometry: square(0, 0, 4)}}},
			{"CAF", 1, []geo.Area{
				{PCode: "CF11", Name: "Ombella M'Poko", Level: 1, ParentPCode: "CF", Geometry: square(0, 0, 2)},
				{PCode: "CF41", Name: "Kémo", Level: 1, ParentPCode: "CF", Geometry: square(2, 0, 2)},
				{PCode: "CF71", Name: "Bangui", Level: 1, ParentPCode: "CF", Geometry: square(0, 2, 2)},
			}},
			{"SSD", 1, []geo.Area{{PCode: "SS01", Name: "Central Equatoria", Level: 1, ParentPCode: "SS", Geometry: square(30, 4, 2)}}},
		}
		for _, im := range imports {
			if _, err := s.ImportAreas(system, im.country, im.level, im.areas); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			name string
			f    geo.AreaFilter
			want string
		}{
			{"All", geo.AreaFilter{}, "CF CF11 CF41 CF71 SS01"},
			{"Country", geo.AreaFilter{Country: "CAF"}, "CF CF11 CF41 CF71"},
			{"Level0", geo.AreaFilter{Level: intp(0)}, "CF"},
			{"Level1OfCountry", geo.AreaFilter{Country: "SSD", Level: intp(1)}, "SS01"},
			{"Parent", geo.AreaFilter{Parent: "CF"}, "CF11 CF41 CF71"},
			{"QueryAccent", geo.AreaFilter{Query: "kémo"}, "CF41"},
			{"QueryFolded", geo.AreaFilter{Query: " KEMO "}, "CF41"},
			{"QueryApostrophe", geo.AreaFilter{Query: "m’poko"}, "CF11"},
			{"QueryPCode", geo.AreaFilter{Query: "cf7"}, "CF71"},
			{"QueryNone", geo.AreaFilter{Query: "Juba"}, ""},
			{"Page1", geo.AreaFilter{Limit: 2}, "CF CF11"},
			{"Page2", geo.AreaFilter{Limit: 2, After: "CF11"}, "CF41 CF71"},
			{"QueryLimit", geo.AreaFilter{Query: "cf", Limit: 2}, "CF CF11"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.FindAreas(analyst, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, a := range got {
					codes = append(codes, a.PCode)
					if a.Geometry != nil {
						t.Errorf("%s listed with its geometry", a.PCode)
					}
				}
				if strings.Join(codes, " ") != tt.want {
					t.Errorf("got %v, want %s", codes, tt.want)
				}
			})
		}
		withGeom, err := s.FindAreas(analyst, geo.AreaFilter{Country: "SSD", WithGeometry: true})
		if err != nil || len(withGeom) != 1 || !reflect.DeepEqual(withGeom[0].Geometry, square(30, 4, 2)) {
			t.Errorf("WithGeometry: %+v %v", withGeom, err)
		}
		for _, f := range []geo.AreaFilter{{Country: "CF"}, {Level: intp(5)}, {Limit: -1}} {
			if _, err := s.FindAreas(analyst, f); peaceops.ErrorCode(err) != peaceops.EINVALID {
				t.Errorf("FindAreas(%+v) = %v, want invalid", f, err)
			}
		}
		if _, err := s.FindAreaByPCode(analyst, "CF99"); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("FindAreaByPCode(CF99) = %v, want not found", err)
		}
		if _, err := s.Locator(analyst, "XYZ"); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("Locator(XYZ) = %v, want invalid", err)
		}
		ix, err := s.Locator(analyst, "COD")
		if err != nil || ix.Len() != 0 {
			t.Errorf("Locator of a country without areas = %v, %v", ix, err)
		}
		ix, err = s.Locator(analyst, "CAF")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range ix.Locate(geo.Point{Lon: 1, Lat: 3}) {
			got = append(got, r.PCode)
		}
		if strings.Join(got, " ") != "CF CF71" {
			t.Errorf("Locate = %v, want CF then CF71", got)
		}
	})
}

// Locator and Locate may be called from many goroutines while imports run.
func TestLocatorConcurrent(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := geo.NewService(db)
	if _, err := s.ImportAreas(system, "CAF", 1, []geo.Area{{PCode: "XA1", Name: "Alpha", Level: 1, Geometry: square(0, 0, 1)}}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 20 {
				if g == 0 && i%5 == 0 {
					name := "Alpha " + strings.Repeat("I", i+1)
					if _, err := s.ImportAreas(system, "CAF", 1, []geo.Area{{PCode: "XA1", Name: name, Level: 1, Geometry: square(0, 0, 1)}}); err != nil {
						errs <- err
						return
					}
				}
				ix, err := s.Locator(analyst, "CAF")
				if err != nil {
					errs <- err
					return
				}
				if r, ok := ix.LocateLevel(geo.Point{Lon: 0.5, Lat: 0.5}, 1); !ok || r.PCode != "XA1" {
					errs <- fmt.Errorf("Locate = %+v, %v", r, ok)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
