package missions_test

import (
	"context"
	"sync"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// fixture is a database with an administrator and the services over it.
type fixture struct {
	db       *store.DB
	access   *access.Service
	missions *missions.Service
	system   context.Context
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	acc := access.NewService(db, access.Options{Argon2: access.FastArgon2Params()})
	return &fixture{db: db, access: acc, missions: missions.NewService(db, acc),
		system: peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())}
}

// as returns a context acting as username, with the roles it holds now.
func (f *fixture) as(t *testing.T, username string) context.Context {
	t.Helper()
	token, _, err := f.access.Login(context.Background(), username, "correct horse battery", "127.0.0.1")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	a, err := f.access.ActorForSession(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return peaceops.NewContextWithActor(context.Background(), a)
}

func (f *fixture) user(t *testing.T, name string, admin bool) {
	t.Helper()
	if _, err := f.access.CreateUser(f.system, access.UserCreate{Username: name, Password: "correct horse battery", Admin: admin}); err != nil {
		t.Fatal(err)
	}
}

func minusca() *missions.Mission {
	return &missions.Mission{
		Code: "MINUSCA", Name: "United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic",
		HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10},
		HQ: &missions.HQ{Name: "Bangui", Location: &geo.Point{Lon: 18.5582, Lat: 4.3612}},
	}
}

func TestCreateMission(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.user(t, "admin", true)
		f.user(t, "analyst", false)
		admin := f.as(t, "admin")

		m := minusca()
		if err := f.missions.CreateMission(admin, m); err != nil {
			t.Fatal(err)
		}
		if m.ID == "" || m.Version != 1 || m.Status != missions.StatusActive || m.Classification != peaceops.Internal {
			t.Fatalf("created %+v: want id, version 1, active, internal", m)
		}
		got, err := f.missions.FindMissionByCode(admin, "MINUSCA")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != m.Name || got.StartDate != m.StartDate || got.HQ == nil || got.HQ.Location.Lat != 4.3612 {
			t.Fatalf("read back %+v", got)
		}

		t.Run("ErrCodeTaken", func(t *testing.T) {
			err := f.missions.CreateMission(admin, minusca())
			if peaceops.ErrorCode(err) != peaceops.ECONFLICT {
				t.Fatalf("err = %v, want conflict", err)
			}
		})
		t.Run("ErrNotAdmin", func(t *testing.T) {
			m := minusca()
			m.Code = "MONUSCO"
			err := f.missions.CreateMission(f.as(t, "analyst"), m)
			if peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Fatalf("err = %v, want forbidden", err)
			}
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			m := minusca()
			m.Code = "UNMISS"
			err := f.missions.CreateMission(context.Background(), m)
			if peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
				t.Fatalf("err = %v, want unauthorized", err)
			}
		})
	})
}

func TestMissionValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(m *missions.Mission)
		field string
	}{
		{"ErrCodeLowercase", func(m *missions.Mission) { m.Code = "minusca" }, "code"},
		{"ErrCodeMissing", func(m *missions.Mission) { m.Code = "" }, "code"},
		{"ErrNameMissing", func(m *missions.Mission) { m.Name = "  " }, "name"},
		{"ErrHostCountryUnknown", func(m *missions.Mission) { m.HostCountry = "XYZ" }, "host_country"},
		{"ErrHostCountryAlpha2", func(m *missions.Mission) { m.HostCountry = "CF" }, "host_country"},
		{"ErrStartMissing", func(m *missions.Mission) { m.StartDate = peaceops.Date{} }, "start_date"},
		{"ErrEndBeforeStart", func(m *missions.Mission) { m.EndDate = peaceops.Date{Year: 2013, Month: 1, Day: 1} }, "end_date"},
		{"ErrLatitude", func(m *missions.Mission) { m.HQ.Location.Lat = 95 }, "hq.location"},
		{"ErrStatus", func(m *missions.Mission) { m.Status = "paused" }, "status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := minusca()
			tt.edit(m)
			err := m.Validate()
			fields := peaceops.ErrorFields(err)
			if len(fields) != 1 || fields[0].Field != tt.field {
				t.Fatalf("Validate() = %v, want exactly one problem with %s", err, tt.field)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		if err := minusca().Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMissionVisibility(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.user(t, "admin", true)
		f.user(t, "car-analyst", false)
		f.user(t, "drc-viewer", false)
		f.user(t, "nobody", false)
		admin := f.as(t, "admin")
		car := minusca()
		drc := &missions.Mission{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}}
		for _, m := range []*missions.Mission{car, drc} {
			if err := f.missions.CreateMission(admin, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.missions.AddMember(admin, "MINUSCA", "car-analyst", peaceops.RoleAnalyst); err != nil {
			t.Fatal(err)
		}
		if err := f.missions.AddMember(admin, "MONUSCO", "drc-viewer", peaceops.RoleViewer); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			user string
			want []string
		}{
			{"admin", []string{"MINUSCA", "MONUSCO"}},
			{"car-analyst", []string{"MINUSCA"}},
			{"drc-viewer", []string{"MONUSCO"}},
			{"nobody", nil},
		} {
			t.Run(tt.user, func(t *testing.T) {
				ctx := f.as(t, tt.user)
				list, next, err := f.missions.FindMissions(ctx, missions.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range list {
					got = append(got, m.Code)
				}
				if len(got) != len(tt.want) || next != "" {
					t.Fatalf("FindMissions = %v (next %q), want %v", got, next, tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Fatalf("FindMissions = %v, want %v", got, tt.want)
					}
				}
				// A mission the user is not a member of does not exist for them.
				for _, code := range []string{"MINUSCA", "MONUSCO"} {
					_, err := f.missions.FindMissionByCode(ctx, code)
					visible := false
					for _, w := range tt.want {
						visible = visible || w == code
					}
					if visible && err != nil || !visible && peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
						t.Errorf("FindMissionByCode(%s) err = %v, visible %v", code, err, visible)
					}
				}
			})
		}
		t.Run("Pagination", func(t *testing.T) {
			page, next, err := f.missions.FindMissions(admin, missions.Filter{Limit: 1})
			if err != nil || len(page) != 1 || page[0].Code != "MINUSCA" || next != "MINUSCA" {
				t.Fatalf("page 1 = %v, %q, %v", page, next, err)
			}
			page, next, err = f.missions.FindMissions(admin, missions.Filter{Limit: 1, After: next})
			if err != nil || len(page) != 1 || page[0].Code != "MONUSCO" || next != "" {
				t.Fatalf("page 2 = %v, %q, %v", page, next, err)
			}
		})
	})
}

func TestUpdateMission(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.user(t, "admin", true)
		f.user(t, "madmin", false)
		f.user(t, "viewer", false)
		admin := f.as(t, "admin")
		m := minusca()
		if err := f.missions.CreateMission(admin, m); err != nil {
			t.Fatal(err)
		}
		f.missions.AddMember(admin, "MINUSCA", "madmin", peaceops.RoleMissionAdmin)
		f.missions.AddMember(admin, "MINUSCA", "viewer", peaceops.RoleViewer)

		name := "MINUSCA (renamed)"
		got, err := f.missions.UpdateMission(f.as(t, "madmin"), "MINUSCA", missions.Update{Name: &name}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Version != 2 || got.HostCountry != "CAF" {
			t.Fatalf("updated %+v", got)
		}
		t.Run("ErrStale", func(t *testing.T) {
			_, err := f.missions.UpdateMission(admin, "MINUSCA", missions.Update{Name: &name}, 1)
			if peaceops.ErrorCode(err) != peaceops.EPRECONDITION {
				t.Fatalf("err = %v, want precondition", err)
			}
		})
		t.Run("ErrViewerForbidden", func(t *testing.T) {
			_, err := f.missions.UpdateMission(f.as(t, "viewer"), "MINUSCA", missions.Update{Name: &name}, 2)
			if peaceops.ErrorCode(err) != peaceops.EFORBIDDEN {
				t.Fatalf("err = %v, want forbidden", err)
			}
		})
		t.Run("ErrInvalidNothingWritten", func(t *testing.T) {
			bad := "ZZZ"
			_, err := f.missions.UpdateMission(admin, "MINUSCA", missions.Update{Name: &name, HostCountry: &bad}, 2)
			if fe := peaceops.ErrorFields(err); len(fe) != 1 || fe[0].Field != "host_country" {
				t.Fatalf("err = %v, want host_country problem", err)
			}
			now, _ := f.missions.FindMissionByCode(admin, "MINUSCA")
			if now.Version != 2 || now.HostCountry != "CAF" {
				t.Fatalf("after a rejected update: %+v", now)
			}
		})
		t.Run("Audited", func(t *testing.T) {
			var n int
			db.View(admin, func(tx *store.Tx) error {
				return tx.QueryRowContext(admin, `SELECT COUNT(*) FROM audit_log WHERE entity_type = 'mission' AND mission = 'MINUSCA'`).Scan(&n)
			})
			if n != 2 {
				t.Fatalf("%d mission audit entries, want 2 (create, update)", n)
			}
		})
	})
}

// Concurrent updates with the same version: exactly one wins, the others
// are told the record changed; no update is lost.
func TestUpdateMissionConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.user(t, "admin", true)
		admin := f.as(t, "admin")
		if err := f.missions.CreateMission(admin, minusca()); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := "name " + string(rune('A'+i))
				_, errs[i] = f.missions.UpdateMission(admin, "MINUSCA", missions.Update{Name: &name}, 1)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch peaceops.ErrorCode(err) {
			case "":
				won++
			case peaceops.EPRECONDITION:
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d updates won, want exactly 1", won)
		}
		m, _ := f.missions.FindMissionByCode(admin, "MINUSCA")
		if m.Version != 2 {
			t.Fatalf("version %d, want 2", m.Version)
		}
	})
}
