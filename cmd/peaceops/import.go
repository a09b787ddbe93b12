package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/geo"
)

func runImport(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: peaceops import events|areas|deployments|sea|contributions|fatalities|ddr [flags] FILE")
		return exitError(2)
	}
	switch args[0] {
	case "events":
		return runImportEvents(ctx, env, args[1:])
	case "areas":
		return runImportAreas(ctx, env, args[1:])
	case "sea":
		return runImportSEA(ctx, env, args[1:])
	case "deployments":
		return runImportDeployments(ctx, env, args[1:])
	case "ddr":
		return runImportDDR(ctx, env, args[1:])
	case "contributions", "fatalities":
		return runImportForces(ctx, env, args[0], args[1:])
	}
	return fmt.Errorf("unknown import command %q (want events, areas, deployments, sea, contributions, fatalities or ddr)", args[0])
}

// parseWithFile parses args, which hold flags and exactly one file name in
// any order, and returns the file name.
func parseWithFile(env *Env, fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := parse(env, fs, nil); err != nil { // PEACEOPS_* for the flags not given
		return "", err
	}
	if len(files) != 1 {
		fs.Usage()
		return "", fmt.Errorf("give exactly one file to import (got %d)", len(files))
	}
	return files[0], nil
}

func runImportEvents(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import events", "--mission CODE --format ucdp|acled|hxl [--dry-run] [--db FILE|URL] FILE")
	dsn := dbFlag(fs)
	mission := fs.String("mission", "", "code of the mission the events belong to (required)")
	format := fs.String("format", "", "input format: ucdp (UCDP GED CSV or GeoJSON), acled or hxl (required)")
	dryRun := fs.Bool("dry-run", false, "check the file and count what would change, without writing")
	defaultType := fs.String("default-type", "", "hxl: event type of rows without one (e.g. mission.crime)")
	path, err := parseWithFile(env, fs, args)
	if err != nil {
		return err
	}
	if *mission == "" || *format == "" {
		fs.Usage()
		return fmt.Errorf("--mission and --format are required")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	bar := newProgress(env.Stderr, st.Size())
	counted := &countingReader{r: f, progress: bar}
	opts := []events.ReadOption{events.SourceName(filepath.Base(path))}
	if *defaultType != "" {
		opts = append(opts, events.DefaultType(events.Type(*defaultType)))
	}
	reader, err := events.NewReader(*format, counted, opts...)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	svc := events.NewService(db, geo.NewService(db))
	res, err := svc.Import(ctx, *mission, reader, events.ImportOptions{
		DryRun: *dryRun, Name: filepath.Base(path), Progress: bar.rows,
	})
	bar.done()
	if len(res.Errors) > 0 {
		for _, re := range res.Errors {
			fmt.Fprintf(env.Stderr, "%s: %v\n", path, re)
		}
		return fmt.Errorf("%d of %d rows are bad: nothing was imported", len(res.Errors), res.Read)
	}
	if err != nil {
		return err
	}
	verb := "imported"
	if *dryRun {
		verb = "dry run, nothing written: would import"
	}
	fmt.Fprintf(env.Stdout, "%s %s: %d rows read, %d created, %d updated, %d unchanged\n",
		verb, path, res.Read, res.Created, res.Updated, res.Unchanged)
	return nil
}

func runImportAreas(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import areas", "--country ISO3 --level N [--source NAME] [--db FILE|URL] FILE.geojson")
	dsn := dbFlag(fs)
	country := fs.String("country", "", "ISO 3166-1 alpha-3 code of the country (required), e.g. CAF")
	level := fs.Int("level", -1, fmt.Sprintf("admin level of the file's areas, 0..%d (required)", geo.MaxLevel))
	source := fs.String("source", "", "provenance stored with each area (default: the file name)")
	path, err := parseWithFile(env, fs, args)
	if err != nil {
		return err
	}
	if *country == "" || *level < 0 {
		fs.Usage()
		return fmt.Errorf("--country and --level are required")
	}
	if *source == "" {
		*source = filepath.Base(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	areas, err := geo.ReadAreas(f, geo.ImportOptions{Country: strings.ToUpper(*country), Level: *level, Source: *source})
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	res, err := geo.NewService(db).ImportAreas(ctx, strings.ToUpper(*country), *level, areas)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s: %d areas of %s level %d: %d created, %d updated, %d unchanged\n",
		path, len(areas), strings.ToUpper(*country), *level, res.Created, res.Updated, res.Unchanged)
	return nil
}

// countingReader counts the bytes read through it for the progress bar.
type countingReader struct {
	r        io.Reader
	progress *progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.progress.bytes(int64(n))
	return n, err
}

// progress draws a progress bar of the bytes read on a terminal; on
// anything else (a pipe, a log file) it draws nothing.
type progress struct {
	w     io.Writer
	total int64
	tty   bool

	mu    sync.Mutex // guards what follows
	read  int64
	nrows int
	drawn time.Time
	shown bool
}

func newProgress(w io.Writer, total int64) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) bytes(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.read += n
	p.draw(false)
}

func (p *progress) rows(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nrows = n
	p.draw(false)
}

// draw redraws the bar at most ten times a second (always when force).
func (p *progress) draw(force bool) {
	if !p.tty || (!force && time.Since(p.drawn) < 100*time.Millisecond) {
		return
	}
	p.drawn, p.shown = time.Now(), true
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(p.read)/float64(p.total), 1)
	}
	full := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d rows", strings.Repeat("=", full), strings.Repeat(" ", width-full), frac*100, p.nrows)
}

// done draws the final state and ends the line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		return
	}
	p.draw(true)
	if p.shown {
		fmt.Fprintln(p.w)
	}
}
