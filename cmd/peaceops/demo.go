package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/demo"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/internal/shareddata"
	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/results"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "[--addr HOST:PORT] [--db FILE]")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dsn := fs.String("db", "", "where to build the demo database (must not exist; default: a new temporary file)")
	build := fs.Bool("build-only", false, "build the database, print the accounts and exit without serving")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "peaceops-demo-")
		if err != nil {
			return err
		}
		*dsn = filepath.Join(dir, "demo.db")
	} else if _, err := os.Stat(*dsn); err == nil {
		return fmt.Errorf("%s exists: the demo builds a new database and never touches an existing one", *dsn)
	}
	logger, err := newLogger(env, "warn")
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(env.Stdout, "Building the MINUSCA demo on real public data in %s ...\n", *dsn)
	accounts, err := buildDemo(ctx, env, db)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(env.Stdout, "\nDemo accounts (passwords are generated for this database and shown only now):")
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tPASSWORD\tROLE")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.username, a.password, a.role)
	}
	tw.Flush()
	if *build {
		return nil
	}
	fmt.Fprintln(env.Stdout)
	// A data key for this demo run only (unless one is given), so that
	// victim identities and reply numbers can be tried out: what is sealed
	// with it cannot be read after the demo stops.
	keys, err := dataKeys(env, "")
	if err != nil {
		return err
	}
	if keys == nil {
		keys, _ = sealed.ParseKeys(sealed.NewKey("demo"))
	}
	return serve(ctx, env, db, *addr, serverOptions{Logger: logger, Landing: "/missions/MINUSCA/map", AlertsEvery: 0, DataKeys: keys})
}

type demoAccount struct{ username, password, role string }

// demoPassword returns 20 random characters from an alphabet without
// look-alikes, about 100 bits.
func demoPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// buildDemo fills db with the MINUSCA mission, its members and the real data
// of the demo folder, through the same services the API uses.
func buildDemo(ctx context.Context, env *Env, db *store.DB) ([]demoAccount, error) {
	sys := peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	acc := access.NewService(db, access.Options{})
	mis := missions.NewService(db, acc)

	m := &missions.Mission{
		Code:        "MINUSCA",
		Name:        "United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic",
		HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10},
		HQ: &missions.HQ{Name: "Bangui", Location: &geo.Point{Lon: 18.5582, Lat: 4.3612}},
	}
	if err := mis.CreateMission(sys, m); err != nil {
		return nil, err
	}
	fmt.Fprintln(env.Stdout, "  mission MINUSCA (S/RES/2149 (2014), host country CAF)")

	accounts := []struct {
		username, name string
		admin          bool
		role           peaceops.Role
	}{
		{"admin", "System administrator", true, ""},
		{"joc.analyst", "JOC analyst", false, peaceops.RoleAnalyst},
		{"duty.officer", "JOC duty officer", false, peaceops.RoleReporter},
		{"mission.admin", "MINUSCA mission administrator", false, peaceops.RoleMissionAdmin},
		{"hq.viewer", "HQ desk officer", false, peaceops.RoleViewer},
		{"planner", "Strategic planning officer", false, peaceops.RolePlanner},
		{"personnel.officer", "Force generation and personnel officer", false, peaceops.RolePersonnelOfficer},
		{"conduct.officer", "Conduct and discipline officer", false, peaceops.RoleConductOfficer},
		{"feedback.officer", "Community feedback officer", false, peaceops.RoleFeedbackOfficer},
		{"ddr.officer", "DDR officer", false, peaceops.RoleDDROfficer},
		{"child.protection", "Child protection officer", false, peaceops.RoleChildProtection},
	}
	var out []demoAccount
	for _, a := range accounts {
		pw := demoPassword()
		if _, err := acc.CreateUser(sys, access.UserCreate{Username: a.username, Password: pw, DisplayName: a.name, Admin: a.admin}); err != nil {
			return nil, err
		}
		role := "admin"
		if a.role != "" {
			if err := acc.AddMember(sys, "MINUSCA", a.username, a.role); err != nil {
				return nil, err
			}
			role = string(a.role) + " (MINUSCA)"
		}
		out = append(out, demoAccount{a.username, pw, role})
	}

	areas := geo.NewService(db)
	counts, err := importDemoAreas(sys, areas)
	if err != nil {
		return nil, err
	}
	for level, n := range counts {
		fmt.Fprintf(env.Stdout, "  %d admin%d areas of CAR with P-codes (OCHA COD-AB)\n", n, level+1)
	}

	evs := events.NewService(db, areas)
	f, err := demo.Data.Open("data/GEDEvent_v23_1_CAF.geojson")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := events.NewReader(events.FormatUCDP, f)
	if err != nil {
		return nil, err
	}
	res, err := evs.Import(sys, "MINUSCA", rd, events.ImportOptions{Name: "GEDEvent_v23_1_CAF.geojson"})
	if err != nil {
		return nil, fmt.Errorf("UCDP events: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  %d UCDP GED v23.1 events in CAR, 1991-2022, admin areas assigned by point-in-polygon\n", res.Created)

	ale := alerts.NewService(db, evs, alerts.Options{Access: acc, Missions: mis})
	// Run early warning as of the start of 2014, at the height of the
	// crisis, so the demo shows the alerts analysts would have seen then.
	run, err := ale.Run(sys, "MINUSCA", time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, fmt.Errorf("early warning: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  early warning run as of 2014-01-01: %d alerts\n", run.Raised)

	// The mandate: MINUSCA's resolutions from S/RES/2149 (2014), entered as
	// data with their references; the results framework's protection of
	// civilians objective, its indicators computed from the events above.
	man := mandates.NewService(db)
	if err := mandates.SeedMINUSCA(sys, man); err != nil {
		return nil, fmt.Errorf("mandate: %w", err)
	}
	chain, err := man.FindResolutions(sys, "MINUSCA")
	if err != nil {
		return nil, err
	}
	var poc []string
	for _, res := range chain {
		for _, task := range res.Tasks {
			if task.Category == mandates.CategoryPoC {
				poc = append(poc, task.ID)
			}
		}
	}
	fmt.Fprintf(env.Stdout, "  %d Security Council resolutions of MINUSCA, 2014-2024, with tasks and ceilings\n", len(chain))
	if err := results.NewService(db, evs, results.Options{Tasks: man, Missions: mis}).SeedDemo(sys, "MINUSCA", poc, 2013); err != nil {
		return nil, fmt.Errorf("results framework: %w", err)
	}
	fmt.Fprintln(env.Stdout, "  results framework: protection of civilians, indicators computed from the events")

	// The rest of the real data is read from the shared data folder when
	// it is there (not redistributed here: Geo-PKO asks for citation and
	// sits in a GPL-2.0 repository; the others are large).
	dir, ok := shareddata.Dir()
	if !ok {
		fmt.Fprintf(env.Stdout, "  deployment sites, strength returns, fatalities and conduct statistics skipped: the shared data folder was not found (set %s)\n", shareddata.Env)
		return out, nil
	}
	sites, err := readGeoPKO(filepath.Join(dir, "geo-pko-v2.3-aggregates", "FrontMap_v.2.3.csv"), "MINUSCA")
	if err != nil {
		return nil, fmt.Errorf("Geo-PKO deployments: %w", err)
	}
	n, err := mis.ImportDeployments(sys, "MINUSCA", missions.SourceGeoPKO, sites)
	if err != nil {
		return nil, fmt.Errorf("Geo-PKO deployments: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  %d deployment sites of MINUSCA, 2014-2024 (Geo-PKO v2.3, Uppsala University)\n", n)

	if err := forces.SeedDemo(sys, forces.NewService(db, man), filepath.Join(dir, "ipi-peacekeeping-contributions"),
		filepath.Join(dir, "un-pk-fatalities", "DPPADPOSS-FATALITIES.csv")); err != nil {
		return nil, fmt.Errorf("strength and fatalities: %w", err)
	}
	fmt.Fprintln(env.Stdout, "  strength returns of MINUSCA by contributor (IPI Peacekeeping Database) and UN peacekeeper fatalities")

	sea, err := conduct.NewService(db, nil).ImportSEAFile(sys, conduct.SEASource, filepath.Join(dir, "un-sea-allegations", "table_of_allegations_as_of_july_2024.csv"))
	if err != nil {
		return nil, fmt.Errorf("conduct statistics: %w", err)
	}
	fmt.Fprintf(env.Stdout, "  %d UN allegations of sexual exploitation and abuse, as published (public statistics)\n", sea.Rows)
	return out, nil
}

// importDemoAreas imports the CAR admin 1 and admin 2 boundaries of the
// demo folder (OCHA COD-AB) and returns how many areas of each level it
// created.
func importDemoAreas(ctx context.Context, areas *geo.Service) ([2]int, error) {
	var created [2]int
	for level, file := range []string{1: "data/caf_admin1.geojson", 2: "data/caf_admin2.geojson"} {
		if file == "" {
			continue
		}
		f, err := demo.Data.Open(file)
		if err != nil {
			return created, err
		}
		list, err := geo.ReadAreas(f, geo.ImportOptions{Country: "CAF", Level: level, Source: "OCHA COD-AB " + filepath.Base(file)})
		f.Close()
		if err != nil {
			return created, fmt.Errorf("%s: %w", file, err)
		}
		res, err := areas.ImportAreas(ctx, "CAF", level, list)
		if err != nil {
			return created, fmt.Errorf("%s: %w", file, err)
		}
		created[level-1] = res.Created
	}
	return created, nil
}
