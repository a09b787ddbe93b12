package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
)

// benchMission is the mission the events benchmark fills.
const benchMission = "MINUSCA"

// hotspot is a town around which synthetic events cluster. The admin 1
// names are the prefectures the towns lie in; the P-codes are labels for
// grouping, not an authoritative gazetteer.
type hotspot struct {
	name     string
	lon, lat float64
	weight   float64 // share of the clustered events
	sigma    float64 // spread in degrees
	admin1   events.AdminRef
}

var carHotspots = []hotspot{
	{"Bangui", 18.56, 4.36, 0.22, 0.08, events.AdminRef{PCode: "CF71", Name: "Bangui"}},
	{"Bambari", 20.67, 5.76, 0.14, 0.20, events.AdminRef{PCode: "CF33", Name: "Ouaka"}},
	{"Bria", 21.98, 6.54, 0.11, 0.20, events.AdminRef{PCode: "CF41", Name: "Haute-Kotto"}},
	{"Kaga-Bandoro", 19.18, 6.99, 0.10, 0.20, events.AdminRef{PCode: "CF22", Name: "Nana-Grébizi"}},
	{"Bossangoa", 17.45, 6.49, 0.09, 0.20, events.AdminRef{PCode: "CF23", Name: "Ouham"}},
	{"Ndele", 20.65, 8.41, 0.07, 0.25, events.AdminRef{PCode: "CF51", Name: "Bamingui-Bangoran"}},
	{"Birao", 22.79, 10.28, 0.06, 0.25, events.AdminRef{PCode: "CF52", Name: "Vakaga"}},
	{"Obo", 26.49, 5.40, 0.05, 0.30, events.AdminRef{PCode: "CF63", Name: "Haut-Mbomou"}},
	{"Berberati", 15.79, 4.26, 0.08, 0.20, events.AdminRef{PCode: "CF32", Name: "Mambéré-Kadéï"}},
	{"Bouar", 15.60, 5.95, 0.08, 0.20, events.AdminRef{PCode: "CF31", Name: "Nana-Mambéré"}},
}

// benchActors are the actor names synthetic events draw from.
var benchActors = []string{
	"Séléka", "Anti-balaka", "UPC", "FPRC", "3R", "MPC", "CPC", "FACA",
	"Civilians (Central African Republic)", "MINUSCA", "Wagner Group", "LRA",
}

var (
	benchEpoch = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	benchDays  = int(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Sub(benchEpoch) / (24 * time.Hour))
)

// eventGen generates the synthetic events lo..hi-1; event i is the same
// whatever batch it is generated in, so the data set depends only on N.
type eventGen struct {
	i, hi int
	types []events.Type
	cum   []float64 // cumulative hotspot weights
}

func newEventGen(lo, hi int) *eventGen {
	g := &eventGen{i: lo, hi: hi}
	for _, t := range events.Taxonomy() {
		g.types = append(g.types, t.Type)
	}
	sum := 0.0
	for _, h := range carHotspots {
		sum += h.weight
		g.cum = append(g.cum, sum)
	}
	return g
}

// Next implements events.Reader.
func (g *eventGen) Next() (events.Event, error) {
	if g.i >= g.hi {
		return events.Event{}, io.EOF
	}
	i := g.i
	g.i++
	return g.event(i), nil
}

func (g *eventGen) event(i int) events.Event {
	r := rand.New(rand.NewPCG(20140410, uint64(i)))
	k, _ := slices.BinarySearch(g.cum, r.Float64()*g.cum[len(g.cum)-1])
	h := carHotspots[min(k, len(carHotspots)-1)]
	lon, lat := h.lon+r.NormFloat64()*h.sigma, h.lat+r.NormFloat64()*h.sigma
	if r.IntN(10) == 0 { // a tenth anywhere in the country
		lon, lat = 14.5+r.Float64()*12.8, 2.3+r.Float64()*8.6
	}
	// Types: battles and violence against civilians dominate, as in CAR.
	var t events.Type
	switch k := r.IntN(100); {
	case k < 35:
		t = events.ArmedClash
	case k < 60:
		t = events.Attack
	default:
		t = g.types[r.IntN(len(g.types))]
	}
	// Later years see more events: day drawn with a rising density.
	day := int(math.Sqrt(r.Float64()) * float64(benchDays))
	start := benchEpoch.AddDate(0, 0, day)
	// Fatalities: most events none, a long tail (Pareto).
	fat := 0
	if r.IntN(100) < 40 {
		fat = int(math.Min(500, math.Floor(1/math.Pow(1-r.Float64(), 1/1.2))))
	}
	civ := 0
	if fat > 0 {
		civ = r.IntN(fat + 1)
	}
	a1, a2 := benchActors[r.IntN(len(benchActors))], benchActors[r.IntN(len(benchActors))]
	actors := []events.ActorRef{{Name: a1, Role: events.RoleSideA}}
	if a2 != a1 {
		actors = append(actors, events.ActorRef{Name: a2, Role: events.RoleSideB})
	}
	d := peaceops.Date{Year: start.Year(), Month: start.Month(), Day: start.Day()}
	return events.Event{
		Type:  t,
		Title: fmt.Sprintf("%s near %s", t, h.name),
		Start: start, End: start, DatePrecision: events.DateDay,
		Location: &geo.Point{Lon: lon, Lat: lat}, LocationPrecision: events.LocationNear,
		PlaceName: h.name, Country: "CAF", Admin1: h.admin1, SourceAdmin1: h.admin1.Name,
		Actors:             actors,
		Fatalities:         events.Exactly(fat),
		CivilianFatalities: events.Exactly(civ),
		Sources:            []events.Source{{Name: "peaceops bench", Kind: events.KindDataset, Date: d}},
		Classification:     peaceops.Public,
		Source:             "bench", SourceID: fmt.Sprint(i),
	}
}

func runBenchEvents(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "bench events", "[--db FILE|URL] [--events N] [--batch N] [--runs N] [--queries N]")
	dsn := fs.String("db", "", "database to benchmark on (default: a fresh SQLite file in a temporary folder); a PostgreSQL URL must point at an empty database or schema (search_path)")
	n := fs.Int("events", 1000000, "synthetic events to import")
	batch := fs.Int("batch", 100000, "events per Import call (one file a user imports)")
	runs := fs.Int("runs", 3, "runs of each query scenario; the median is reported")
	queries := fs.Int("queries", 300, "requests per run of each map and list scenario")
	statsQueries := fs.Int("stats-queries", 50, "requests per run of the whole-mission statistics")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import phase to this file (go tool pprof)")
	importOnly := fs.Bool("import-only", false, "measure the import and its floor only, not the queries")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	if *n < 1 || *batch < 1 || *runs < 1 || *queries < 1 || *statsQueries < 1 {
		return fmt.Errorf("bench events: --events, --batch, --runs and --queries must be positive")
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "peaceops-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = filepath.Join(dir, "bench.db")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	out := env.Stdout
	fmt.Fprintf(out, "peaceops bench events: %s, N=%d (batches of %d), %d cores (GOMAXPROCS %d), %s %s/%s, %s\n",
		db.Dialect(), *n, *batch, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		time.Now().UTC().Format(time.RFC3339))

	b, err := newEventsBench(ctx, db)
	if err != nil {
		return err
	}
	defer func() { b.stop() }()

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	t0 := time.Now()
	for lo := 0; lo < *n; lo += *batch {
		hi := min(lo+*batch, *n)
		res, err := b.events.Import(b.actx, benchMission, newEventGen(lo, hi), events.ImportOptions{Name: fmt.Sprintf("bench-%d.csv", lo / *batch)})
		if err != nil {
			return fmt.Errorf("import %d..%d: %w", lo, hi, err)
		}
		if res.Created != hi-lo {
			return fmt.Errorf("import %d..%d: created %d", lo, hi, res.Created)
		}
		fmt.Fprintf(env.Stderr, "imported %d/%d (%.0f events/s)\n", hi, *n, float64(hi)/time.Since(t0).Seconds())
	}
	importDur := time.Since(t0)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	floorDur, err := importFloor(ctx, db, *batch)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	importRate, floorRate := float64(*n)/importDur.Seconds(), float64(*n)/floorDur.Seconds()
	floorName := "one prepared INSERT, one transaction, no indexes"
	if db.Dialect() == store.Postgres {
		floorName = "pgx COPY, one transaction, no indexes"
	}

	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "import\tevents/s\tseconds\t")
	fmt.Fprintf(tw, "events.Service.Import (batches of %d)\t%.0f\t%.1f\t\n", *batch, importRate, importDur.Seconds())
	fmt.Fprintf(tw, "engine floor: %s\t%.0f\t%.1f\t\n", floorName, floorRate, floorDur.Seconds())
	tw.Flush()
	fmt.Fprintf(out, "ratio importer to floor: %.2fx (goal >= 0.5x)\n\n", importRate/floorRate)
	if *importOnly {
		return nil
	}

	scenarios := []struct {
		name string
		n    int
		req  func(r *rand.Rand) string
	}{
		{"GET events/grid (city box, zoom 9, 90 days, category)", *queries, b.gridQuery},
		{"GET events (same filters, limit 100)", *queries, b.listQuery},
		{"GET events/stats?by=admin1&interval=month (whole mission)", *statsQueries, b.statsQuery},
	}
	srv, err := b.startServe(ctx, *dsn)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "query (%d runs, median)\trequests\tp50 ms\tp99 ms\tmean body bytes\t\n", *runs)
	for _, sc := range scenarios {
		var p50s, p99s []time.Duration
		var rows float64
		for run := range *runs {
			r := rand.New(rand.NewPCG(uint64(run), 7))
			lat, nrows, err := b.measureQueries(ctx, sc.n, func() string { return sc.req(r) })
			if err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
			p50s, p99s = append(p50s, lat[len(lat)/2]), append(p99s, lat[len(lat)*99/100])
			rows += nrows
		}
		slices.Sort(p50s)
		slices.Sort(p99s)
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.0f\t\n", sc.name, sc.n, ms(p50s[len(p50s)/2]), ms(p99s[len(p99s)/2]), rows/float64(*runs))
	}
	if db.Dialect() == store.Postgres {
		p50, p99, err := postgisGrid(ctx, *dsn, *runs, *queries)
		if err != nil {
			return fmt.Errorf("PostGIS baseline: %w", err)
		}
		fmt.Fprintf(tw, "baseline: the grid query directly in PostGIS, GiST (geom, t), no HTTP\t%d\t%.2f\t%.2f\t\t\n", *queries, ms(p50), ms(p99))
	}
	tw.Flush()
	self := procStatus("self", "VmHWM")
	serveHWM := procStatus(strconv.Itoa(srv.Process.Pid), "VmHWM")
	fmt.Fprintf(out, "peak RSS (VmHWM) of peaceops serve during the queries: %s; of this process (generation and import): %s\n", serveHWM, self)
	return nil
}

// eventsBench holds the services and a running server over the
// benchmark database.
type eventsBench struct {
	events *events.Service
	actx   context.Context // the admin's context
	base   string
	token  string
	client *http.Client
	stop   func()
}

func newEventsBench(ctx context.Context, db *store.DB) (*eventsBench, error) {
	sys := peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	acc := access.NewService(db, access.Options{})
	pw := peaceops.NewID() + peaceops.NewID()
	if _, err := acc.CreateUser(sys, access.UserCreate{Username: "bench-admin", Password: pw, Admin: true}); err != nil {
		return nil, err
	}
	token, _, err := acc.CreateToken(sys, "bench-admin", "bench", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	admin, err := acc.ActorForToken(ctx, token)
	if err != nil {
		return nil, err
	}
	actx := peaceops.NewContextWithActor(ctx, admin)
	m := &missions.Mission{Code: benchMission, Name: "Synthetic MINUSCA (benchmark)", HostCountry: "CAF",
		StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}}
	if err := missions.NewService(db, acc).CreateMission(actx, m); err != nil {
		return nil, err
	}
	// The CAR boundaries, so that events get their admin areas on import
	// as a real mission's do, and statistics by area have real groups.
	areas := geo.NewService(db)
	if _, err := importDemoAreas(peaceops.NewContextWithActor(ctx, peaceops.SystemActor()), areas); err != nil {
		return nil, err
	}
	b := &eventsBench{events: events.NewService(db, areas), actx: actx, token: token,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}}

	b.stop = func() {}
	return b, nil
}

// startServe runs `peaceops serve` on dsn in a process of its own, so that
// its memory is measured apart from the generator and importer, and points
// b at it. It returns the process; b.stop ends it.
func (b *eventsBench) startServe(ctx context.Context, dsn string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--alerts-every", "0", "--log-level", "error")
	cmd.Env = append(os.Environ(), "PEACEOPS_DATA_KEY=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if m := listeningLine.FindStringSubmatch(lines.Text()); m != nil {
			b.base = m[1]
			break
		}
	}
	if b.base == "" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("peaceops serve did not start")
	}
	go io.Copy(io.Discard, out)
	b.stop = func() {
		b.client.CloseIdleConnections()
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
	return cmd, nil
}

// listeningLine is what serve prints once it listens.
var listeningLine = regexp.MustCompile(`listening on (http://\S+) `)

// benchCategories are the categories the map queries filter on.
var benchCategories = []string{"battles", "violence_against_civilians", "explosions", "protests", "riots", "strategic_developments", "mission"}

// filterQuery returns the filters of a map view: a box of about 35 km
// around a hotspot, a 90-day window and one category.
func filterQuery(r *rand.Rand) url.Values {
	h := carHotspots[r.IntN(len(carHotspots))]
	const half = 0.16
	from := benchEpoch.AddDate(0, 0, r.IntN(benchDays-90))
	q := url.Values{}
	q.Set("bbox", fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", h.lon-half, h.lat-half, h.lon+half, h.lat+half))
	q.Set("from", from.Format(time.DateOnly))
	q.Set("to", from.AddDate(0, 0, 89).Format(time.DateOnly))
	q.Set("type", benchCategories[r.IntN(len(benchCategories))])
	return q
}

func (b *eventsBench) eventsURL(path string, q url.Values) string {
	return b.base + "/api/v1/missions/" + benchMission + "/events" + path + "?" + q.Encode()
}

func (b *eventsBench) gridQuery(r *rand.Rand) string {
	q := filterQuery(r)
	q.Set("zoom", "9")
	return b.eventsURL("/grid", q)
}

func (b *eventsBench) listQuery(r *rand.Rand) string {
	q := filterQuery(r)
	q.Set("limit", "100")
	return b.eventsURL("", q)
}

func (b *eventsBench) statsQuery(*rand.Rand) string {
	return b.eventsURL("/stats", url.Values{"by": {"admin1"}, "interval": {"month"}})
}

// measureQueries sends n requests one after another (after one warm-up)
// and returns their sorted latencies and the mean body size in bytes.
func (b *eventsBench) measureQueries(ctx context.Context, n int, next func() string) ([]time.Duration, float64, error) {
	if _, err := b.get(ctx, next()); err != nil {
		return nil, 0, err
	}
	lat := make([]time.Duration, 0, n)
	var size int64
	for range n {
		u := next()
		t0 := time.Now()
		k, err := b.get(ctx, u)
		if err != nil {
			return nil, 0, err
		}
		lat = append(lat, time.Since(t0))
		size += k
	}
	slices.Sort(lat)
	return lat, float64(size) / float64(n), nil
}

func (b *eventsBench) get(ctx context.Context, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	k, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return k, nil
}

// importFloor copies the imported rows of the events table into a scratch
// table with the same columns and no index, constraint or trigger, with
// the fastest plain path of the engine, and returns the time spent
// writing (reading the rows back is not counted).
func importFloor(ctx context.Context, db *store.DB, batch int) (time.Duration, error) {
	if db.Dialect() == store.Postgres {
		return copyFloor(ctx, db.DSN(), batch)
	}
	return insertFloor(ctx, db.SQL(), batch)
}

func insertFloor(ctx context.Context, pool *sql.DB, batch int) (time.Duration, error) {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE bench_floor AS SELECT * FROM events WHERE 0`); err != nil {
		return 0, err
	}
	cols, err := columnsOf(ctx, tx, `SELECT * FROM bench_floor`)
	if err != nil {
		return 0, err
	}
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO bench_floor (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	var spent time.Duration
	after := ""
	inserted := 0
	for {
		rows, last, err := readEvents(ctx, tx, cols, after, batch)
		if err != nil {
			return 0, err
		}
		if len(rows) == 0 {
			break
		}
		after = last
		inserted += len(rows)
		t0 := time.Now()
		for _, r := range rows {
			if _, err := stmt.ExecContext(ctx, r...); err != nil {
				return 0, err
			}
		}
		spent += time.Since(t0)
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&total); err != nil {
		return 0, err
	}
	if inserted != total {
		return 0, fmt.Errorf("the floor wrote %d rows of %d", inserted, total)
	}
	t0 := time.Now()
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	spent += time.Since(t0)
	_, err = pool.ExecContext(ctx, `DROP TABLE bench_floor`)
	return spent, err
}

func columnsOf(ctx context.Context, tx *sql.Tx, query string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query+` LIMIT 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// readEvents reads the next batch of events rows after the id after.
func readEvents(ctx context.Context, tx *sql.Tx, cols []string, after string, batch int) ([][]any, string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, batch)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, "", err
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return nil, "", err
	}
	// The page continues after the last id (not the first column: on
	// SQLite that is seq, and paging on it stopped the floor after one
	// batch). Drivers hand TEXT back as string or []byte.
	idCol := slices.Index(cols, "id")
	if idCol < 0 {
		return nil, "", fmt.Errorf("events has no id column")
	}
	last := fmt.Sprint(out[len(out)-1][idCol])
	if b, ok := out[len(out)-1][idCol].([]byte); ok {
		last = string(b)
	}
	return out, last, nil
}

func copyFloor(ctx context.Context, dsn string, batch int) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `CREATE TABLE bench_floor AS SELECT * FROM events WHERE false`); err != nil {
		return 0, err
	}
	// The columns the importer writes: not the generated ones (geom,
	// search), which PostgreSQL computes on import but not here.
	var cols []string
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'events' AND is_generated = 'NEVER' ORDER BY ordinal_position`)
	if err != nil {
		return 0, err
	}
	cols, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	if len(cols) == 0 || cols[0] != "id" {
		return 0, errors.New("events: unexpected columns")
	}
	var spent time.Duration
	after := ""
	for {
		rows, err := tx.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, batch)
		if err != nil {
			return 0, err
		}
		var vals [][]any
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				rows.Close()
				return 0, err
			}
			vals = append(vals, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if len(vals) == 0 {
			break
		}
		after, _ = vals[len(vals)-1][0].(string)
		t0 := time.Now()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_floor"}, cols, pgx.CopyFromRows(vals)); err != nil {
			return 0, err
		}
		spent += time.Since(t0)
	}
	t0 := time.Now()
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	spent += time.Since(t0)
	_, err = conn.Exec(ctx, `DROP TABLE bench_floor`)
	return spent, err
}

// procStatus returns a field ("VmHWM") of /proc/<pid>/status ("self" for
// this process), or "n/a" where there is none.
func procStatus(pid, field string) string {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}

// postgisGrid runs the map grid query of the benchmark directly in
// PostGIS, as the baseline the issue names: the located events copied
// into a table with a GiST index on (geom, t) (btree_gist), and the same
// boxes, windows and categories as the HTTP scenario, aggregated into the
// same cells with no HTTP, JSON or access control around it. It returns
// the medians over runs of p50 and p99.
func postgisGrid(ctx context.Context, dsn string, runs, queries int) (p50, p99 time.Duration, err error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	setup := []string{
		`CREATE EXTENSION IF NOT EXISTS btree_gist`,
		`DROP TABLE IF EXISTS bench_postgis`,
		`CREATE TABLE bench_postgis AS SELECT geom, start_at AS t, category, fatalities_best FROM events WHERE geom IS NOT NULL AND deleted_at IS NULL`,
		`CREATE INDEX bench_postgis_geom_t ON bench_postgis USING gist (geom, t)`,
		`ANALYZE bench_postgis`,
	}
	for _, q := range setup {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	defer conn.Exec(context.Background(), `DROP TABLE IF EXISTS bench_postgis`)
	size := events.CellSize(9)
	const query = `SELECT floor(ST_X(geom) / $1), floor(ST_Y(geom) / $1), count(*), sum(fatalities_best), avg(ST_X(geom)), avg(ST_Y(geom))
		FROM bench_postgis
		WHERE geom && ST_MakeEnvelope($2, $3, $4, $5, 4326) AND t BETWEEN $6 AND $7 AND category = $8
		GROUP BY 1, 2`
	var p50s, p99s []time.Duration
	for run := range runs {
		r := rand.New(rand.NewPCG(uint64(run), 7))
		lat := make([]time.Duration, 0, queries)
		for range queries {
			q := filterQuery(r)
			var box [4]float64
			fmt.Sscanf(q.Get("bbox"), "%f,%f,%f,%f", &box[0], &box[1], &box[2], &box[3])
			from, _ := time.Parse(time.DateOnly, q.Get("from"))
			to, _ := time.Parse(time.DateOnly, q.Get("to"))
			t0 := time.Now()
			rows, err := conn.Query(ctx, query, size, box[0], box[1], box[2], box[3],
				store.Millis(from), store.Millis(to.Add(24*time.Hour-time.Millisecond)), q.Get("type"))
			if err != nil {
				return 0, 0, err
			}
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return 0, 0, err
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		p50s, p99s = append(p50s, lat[len(lat)/2]), append(p99s, lat[len(lat)*99/100])
	}
	slices.Sort(p50s)
	slices.Sort(p99s)
	return p50s[len(p50s)/2], p99s[len(p99s)/2], nil
}
