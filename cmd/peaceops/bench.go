package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
)

func runBench(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "events" {
		return runBenchEvents(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "api" {
		fmt.Fprintln(env.Stderr, "Usage: peaceops bench api [--db FILE|URL] [--duration 5s] [--runs 5] [--workers 16]")
		fmt.Fprintln(env.Stderr, "       peaceops bench events [--db FILE|URL] [--events 1000000] [--runs 3] [--queries 300]")
		return exitError(2)
	}
	fs := newFlags(env, "bench api", "[--db FILE|URL] [--duration D] [--runs N] [--workers N]")
	dsn := fs.String("db", "", "database to benchmark on (default: a fresh SQLite file in a temporary folder); a PostgreSQL URL must point at an empty database or schema")
	duration := fs.Duration("duration", 5*time.Second, "length of each measured run")
	runs := fs.Int("runs", 5, "runs per scenario; the median is reported")
	workers := fs.Int("workers", 16, "concurrent keep-alive connections")
	if err := parse(env, fs, args[1:]); err != nil {
		return err
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
	b, err := newAPIBench(ctx, db, *workers)
	if err != nil {
		return err
	}
	defer b.close()

	fmt.Fprintf(env.Stdout, "peaceops bench api: %s, %d cores (GOMAXPROCS %d), %d workers, %d runs of %s, %s\n",
		db.Dialect(), runtime.NumCPU(), runtime.GOMAXPROCS(0), *workers, *runs, *duration, time.Now().UTC().Format(time.RFC3339))
	scenarios := []struct {
		name string
		fn   func(worker int, c *http.Client) error
	}{
		{"bare net/http GET (same JSON)", b.bareGet},
		{"GET /api/v1/missions/{code} (bearer)", b.get},
		{"bare net/http PATCH (same JSON)", b.barePatch},
		{"PATCH /api/v1/missions/{code} (audited)", b.patch},
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s (median)\tmin\tmax\tp50 ms\tp99 ms\terrors\t")
	results := map[string]benchResult{}
	for _, sc := range scenarios {
		var rs []benchResult
		for range *runs {
			r, err := measure(ctx, *workers, *duration, sc.fn)
			if err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
			rs = append(rs, r)
		}
		med := median(rs)
		results[sc.name] = med
		lo, hi := rs[0].rps, rs[0].rps
		for _, r := range rs {
			lo, hi = min(lo, r.rps), max(hi, r.rps)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%d\t\n", sc.name, med.rps, lo, hi, ms(med.p50), ms(med.p99), med.errors)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "ratio GET to bare: %.2f; ratio PATCH to bare: %.2f\n",
		results[scenarios[1].name].rps/results[scenarios[0].name].rps,
		results[scenarios[3].name].rps/results[scenarios[2].name].rps)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type benchResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

func median(rs []benchResult) benchResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b benchResult) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// measure runs fn in workers goroutines for d and returns the throughput
// and latency percentiles; the load stops by itself after d.
func measure(ctx context.Context, workers int, d time.Duration, fn func(int, *http.Client) error) (benchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n, errs atomic.Int64
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
			defer c.CloseIdleConnections()
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := fn(w, c); err != nil {
					if ctx.Err() != nil {
						break
					}
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		err, _ := firstErr.Load().(error)
		return benchResult{}, fmt.Errorf("no request succeeded: %v", err)
	}
	slices.Sort(all)
	return benchResult{
		rps: float64(n.Load()) / elapsed.Seconds(),
		p50: all[len(all)/2], p99: all[len(all)*99/100], errors: errs.Load(),
	}, nil
}

// apiBench holds a running peaceops server and a bare net/http server that
// answers with the same JSON, both on loopback.
type apiBench struct {
	base, bare string
	token      string
	body       []byte
	versions   []int64 // per worker: the version of its own mission
	stop       func()
}

func newAPIBench(ctx context.Context, db *store.DB, workers int) (*apiBench, error) {
	sys := peaceops.NewContextWithActor(ctx, peaceops.SystemActor())
	acc := access.NewService(db, access.Options{})
	pw := peaceops.NewID() + peaceops.NewID()
	if _, err := acc.CreateUser(sys, access.UserCreate{Username: "bench-admin", Password: pw, Admin: true}); err != nil {
		return nil, err
	}
	token, _, err := acc.CreateToken(sys, "bench-admin", "bench", time.Hour)
	if err != nil {
		return nil, err
	}
	admin, err := acc.ActorForToken(ctx, token)
	if err != nil {
		return nil, err
	}
	mis := missions.NewService(db, acc)
	actx := peaceops.NewContextWithActor(ctx, admin)
	b := &apiBench{token: token, versions: make([]int64, workers)}
	for w := range workers {
		m := &missions.Mission{Code: fmt.Sprintf("BENCH-%02d", w), Name: "Benchmark mission", HostCountry: "CAF",
			StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}}
		if err := mis.CreateMission(actx, m); err != nil {
			return nil, err
		}
		b.versions[w] = m.Version
		if w == 0 {
			b.body, _ = json.Marshal(m)
		}
	}

	sctx, cancel := context.WithCancel(ctx)
	quiet := newQuietLogger()
	srv := newServer(db, serverOptions{Logger: quiet})
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(sctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, err
	}
	body := b.body
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			io.Copy(io.Discard, r.Body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"v1"`)
		w.Write(body)
	})}
	go bare.Serve(bareLn)
	select {
	case a := <-addrc:
		b.base = "http://" + a.String()
	case err := <-done:
		cancel()
		return nil, err
	}
	b.bare = "http://" + bareLn.Addr().String()
	b.stop = func() {
		cancel()
		<-done
		bare.Close()
	}
	return b, nil
}

func (b *apiBench) close() { b.stop() }

// newQuietLogger drops request logs, which would otherwise measure the
// terminal rather than the server.
func newQuietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
}

func do(c *http.Client, req *http.Request, want int) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return resp, fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return resp, nil
}

func (b *apiBench) get(w int, c *http.Client) error {
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/missions/BENCH-%02d", b.base, w), nil)
	req.Header.Set("Authorization", "Bearer "+b.token)
	_, err := do(c, req, http.StatusOK)
	return err
}

func (b *apiBench) bareGet(w int, c *http.Client) error {
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/missions/BENCH-%02d", b.bare, w), nil)
	req.Header.Set("Authorization", "Bearer "+b.token)
	_, err := do(c, req, http.StatusOK)
	return err
}

func (b *apiBench) patchRequest(base string, w int) *http.Request {
	body := fmt.Sprintf(`{"name":"Benchmark mission %d"}`, b.versions[w])
	req, _ := http.NewRequest(http.MethodPatch, fmt.Sprintf("%s/api/v1/missions/BENCH-%02d", base, w), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", fmt.Sprintf(`"v%d"`, b.versions[w]))
	return req
}

// patch changes the worker's own mission, so every request is a real,
// audited update (no 412s from workers racing on one record).
func (b *apiBench) patch(w int, c *http.Client) error {
	if _, err := do(c, b.patchRequest(b.base, w), http.StatusOK); err != nil {
		return err
	}
	b.versions[w]++
	return nil
}

func (b *apiBench) barePatch(w int, c *http.Client) error {
	_, err := do(c, b.patchRequest(b.bare, w), http.StatusOK)
	return err
}
