package jobs_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/jobs"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// Actors of the tests. Jobs trust the actor in the context (access/ made
// it); these are built directly.
var (
	alice    = peaceops.Actor{UserID: "01HZZZZZZZZZZZZZZZZZZALICE", Username: "alice", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleAnalyst}}}
	bob      = peaceops.Actor{UserID: "01HZZZZZZZZZZZZZZZZZZZZBOB", Username: "bob"}
	boss     = peaceops.Actor{UserID: "01HZZZZZZZZZZZZZZZZZZZBOSS", Username: "boss", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleMissionAdmin}}}
	outsider = peaceops.Actor{UserID: "01HZZZZZZZZZZZZZZZZZOUTSDR", Username: "outsider", Roles: map[string][]peaceops.Role{"MONUSCO": {peaceops.RoleMissionAdmin}}}
	analyst  = peaceops.Actor{UserID: "01HZZZZZZZZZZZZZZZZZANLYST", Username: "analyst", Roles: map[string][]peaceops.Role{"MINUSCA": {peaceops.RoleAnalyst}}}
	root     = peaceops.Actor{UserID: "01HZZZZZZZZZZZZZZZZZZZROOT", Username: "root", Admin: true}
)

func as(a peaceops.Actor) context.Context {
	return peaceops.NewContextWithActor(context.Background(), a)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newRunner(db *store.DB, workers int) *jobs.Runner {
	r := jobs.NewRunner(db, quietLogger(), workers)
	r.PollEvery = 20 * time.Millisecond
	r.ProgressEvery = 10 * time.Millisecond
	return r
}

// start runs r until the test ends; the returned stop ends it earlier and
// waits for it.
func start(t *testing.T, r *jobs.Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Start(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// wait waits for job id to finish, as a.
func wait(t *testing.T, r *jobs.Runner, a peaceops.Actor, id string) *jobs.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(as(a), 30*time.Second)
	defer cancel()
	j, err := r.Wait(ctx, id, 10*time.Millisecond)
	if err != nil {
		t.Fatalf("wait for job %s: %v (last seen %+v)", id, err, j)
	}
	return j
}

// eventually polls cond until it holds, failing the test after a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countLines is a job that counts the lines of its input, reporting each.
func countLines(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
	sc := bufio.NewScanner(j.Input())
	n := 0
	for sc.Scan() {
		n++
		p.Set(n, 0, "Reading rows")
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	a := peaceops.ActorFromContext(ctx)
	return map[string]any{"lines": n, "as": a.Username, "mission": j.Mission}, nil
}

func TestRunJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 2)
		r.Register("test.count", countLines)
		start(t, r)

		j, err := r.Submit(as(alice), "test.count", "MINUSCA", []byte("a\nb\nc\n"))
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusQueued || j.ActorID != alice.UserID || j.Actor != "alice" || j.InputSize != 6 || j.Version != 1 {
			t.Fatalf("submitted %+v", j)
		}
		j = wait(t, r, alice, j.ID)
		if j.Status != jobs.StatusSucceeded || j.Error != nil {
			t.Fatalf("status %s, error %v", j.Status, j.Error)
		}
		var res struct {
			Lines   int    `json:"lines"`
			As      string `json:"as"`
			Mission string `json:"mission"`
		}
		if err := json.Unmarshal(j.Result, &res); err != nil {
			t.Fatal(err)
		}
		if res.Lines != 3 || res.As != "alice" || res.Mission != "MINUSCA" {
			t.Errorf("result %s: want 3 lines, run as alice in MINUSCA", j.Result)
		}
		if j.Progress != 3 || j.Total != nil || j.Message != "Reading rows" {
			t.Errorf("progress %d/%v %q, want 3/unknown", j.Progress, j.Total, j.Message)
		}
		if j.StartedAt == nil || j.FinishedAt == nil || j.FinishedAt.Before(*j.StartedAt) || j.Percent() != 100 {
			t.Errorf("times %v..%v, percent %d", j.StartedAt, j.FinishedAt, j.Percent())
		}
	})
}

func TestRunJobLargeInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		r.Register("test.hash", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			h := sha256.New()
			n, err := io.Copy(h, j.Input())
			return map[string]any{"bytes": n, "sha256": fmt.Sprintf("%x", h.Sum(nil))}, err
		})
		start(t, r)
		input := bytes.Repeat([]byte("0123456789abcdef"), 230_000) // 3.5 MiB: four chunks
		j, err := r.SubmitReader(as(alice), "test.hash", "", bytes.NewReader(input))
		if err != nil {
			t.Fatal(err)
		}
		j = wait(t, r, alice, j.ID)
		want := fmt.Sprintf(`{"bytes":%d,"sha256":"%x"}`, len(input), sha256.Sum256(input))
		if j.Status != jobs.StatusSucceeded || string(j.Result) != want {
			t.Fatalf("status %s result %s, want %s", j.Status, j.Result, want)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM job_inputs`); n != 0 {
			t.Errorf("%d input chunks left after the job finished", n)
		}
	})
}

func countRows(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestProgress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		release := make(chan struct{})
		r.Register("test.halfway", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			p.Set(5, 10, "Halfway")
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			p.Set(10, 10, "Done")
			return nil, nil
		})
		start(t, r)
		j, err := r.Submit(as(alice), "test.halfway", "MINUSCA", nil)
		if err != nil {
			t.Fatal(err)
		}

		// Another server (a runner that runs nothing) sees the progress
		// through the database.
		other := jobs.NewRunner(db, quietLogger(), 1)
		var seen *jobs.Job
		eventually(t, "progress 5/10 in the database", func() bool {
			seen, err = other.FindJobByID(as(alice), j.ID)
			if err != nil {
				t.Fatal(err)
			}
			return seen.Progress == 5
		})
		if seen.Status != jobs.StatusRunning || seen.Total == nil || *seen.Total != 10 || seen.Message != "Halfway" || seen.Percent() != 50 {
			t.Fatalf("while running: %+v", seen)
		}
		close(release)
		j = wait(t, other, alice, j.ID)
		if j.Status != jobs.StatusSucceeded || j.Progress != 10 || j.Result != nil {
			t.Fatalf("finished %+v (result %s)", j, j.Result)
		}
	})
}

func TestJobFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		feature := 3
		r.Register("test.rows", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			return map[string]int{"read": 7}, &jobs.Failure{Code: peaceops.EINVALID, Message: "2 rows are bad", Errors: []jobs.Issue{
				{Line: 4, Field: "date_start", Message: "is required"},
				{Feature: &feature, Message: "has no geometry"},
			}}
		})
		r.Register("test.internal", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			return nil, errors.New("disk on fire at /var/secret")
		})
		r.Register("test.fields", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			return nil, peaceops.Invalid([]peaceops.FieldError{{Field: "format", Message: "is unknown"}})
		})
		r.Register("test.panic", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			panic("boom")
		})
		start(t, r)

		for _, tt := range []struct {
			kind, code, message string
			problems            int
		}{
			{"test.rows", peaceops.EINVALID, "2 rows are bad", 2},
			{"test.internal", peaceops.EINTERNAL, "internal error", 0},
			{"test.fields", peaceops.EINVALID, "format: is unknown", 1},
			{"test.panic", peaceops.EINTERNAL, "internal error", 0},
		} {
			t.Run(tt.kind, func(t *testing.T) {
				j, err := r.Submit(as(alice), tt.kind, "", nil)
				if err != nil {
					t.Fatal(err)
				}
				j = wait(t, r, alice, j.ID)
				if j.Status != jobs.StatusFailed || j.Error == nil {
					t.Fatalf("status %s error %v, want failed", j.Status, j.Error)
				}
				if j.Error.Code != tt.code || j.Error.Message != tt.message || len(j.Error.Errors) != tt.problems {
					t.Fatalf("error %+v, want %s %q with %d problems", j.Error, tt.code, tt.message, tt.problems)
				}
			})
		}
		t.Run("ProblemsAndResultKept", func(t *testing.T) {
			list, _, err := r.FindJobs(as(alice), jobs.Filter{Kind: "test.rows"})
			if err != nil || len(list) != 1 {
				t.Fatalf("FindJobs: %v, %d jobs", err, len(list))
			}
			j := list[0]
			b, _ := json.Marshal(j.Error)
			want := `{"code":"invalid","message":"2 rows are bad","errors":[{"line":4,"field":"date_start","message":"is required"},{"feature":3,"message":"has no geometry"}]}`
			if string(b) != want {
				t.Errorf("error = %s\nwant    %s", b, want)
			}
			if string(j.Result) != `{"read":7}` {
				t.Errorf("result = %s", j.Result)
			}
		})
	})
}

func TestSubmitErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		r.Register("test.count", countLines)
		if _, err := r.Submit(context.Background(), "test.count", "", nil); peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
			t.Errorf("anonymous: err = %v, want unauthorized", err)
		}
		if _, err := r.Submit(as(alice), "test.nope", "", nil); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Errorf("unknown kind: err = %v, want invalid", err)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM jobs`); n != 0 {
			t.Errorf("%d jobs stored", n)
		}
	})
}

// TestInterrupted: a server that dies leaves its jobs running; the next
// runner to start fails them as interrupted.
func TestInterrupted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		r.Register("test.count", countLines)
		j, err := r.Submit(as(alice), "test.count", "MINUSCA", []byte("one line\n"))
		if err != nil {
			t.Fatal(err)
		}
		// What a crash leaves: claimed by a runner that beat last an hour ago.
		old := time.Now().Add(-time.Hour).UnixMilli()
		if _, err := db.SQL().Exec(`UPDATE jobs SET status = 'running', runner = 'dead-host/1', started_at = $1, heartbeat_at = $1 WHERE id = $2`, old, j.ID); err != nil {
			t.Fatal(err)
		}
		start(t, r)
		j = wait(t, r, alice, j.ID)
		if j.Status != jobs.StatusFailed || j.Error == nil || j.Error.Code != "interrupted" || !strings.HasPrefix(j.Error.Message, "interrupted") {
			t.Fatalf("job %s error %+v, want failed as interrupted", j.Status, j.Error)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM job_inputs WHERE job_id = $1`, j.ID); n != 0 {
			t.Errorf("input of the interrupted job kept (%d chunks)", n)
		}

		t.Run("RecentHeartbeatKept", func(t *testing.T) {
			// Another live server's job is left alone.
			j2, err := r.Submit(as(alice), "test.count", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			// Claimed by another server (which would beat); the queued job
			// is no longer in this runner's reach.
			if _, err := db.SQL().Exec(`UPDATE jobs SET status = 'running', runner = 'live-host/1', started_at = $1, heartbeat_at = $1 WHERE id = $2`, time.Now().UnixMilli(), j2.ID); err != nil {
				t.Fatal(err)
			}
			r2 := newRunner(db, 1)
			r2.Register("test.count", countLines)
			stop := start(t, r2)
			stop()
			got, err := r2.FindJobByID(as(alice), j2.ID)
			if err != nil || got.Status != jobs.StatusRunning {
				t.Fatalf("live job: %v %+v, want still running", err, got)
			}
		})
	})
}

// TestShutdown: a job cut short by its server stopping fails as
// interrupted, recorded before Start returns.
func TestShutdown(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		running := make(chan struct{})
		r.Register("test.forever", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			close(running)
			<-ctx.Done()
			return nil, ctx.Err()
		})
		stop := start(t, r)
		j, err := r.Submit(as(alice), "test.forever", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		<-running
		stop()
		j, err = r.FindJobByID(as(alice), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusFailed || j.Error == nil || j.Error.Code != "interrupted" {
			t.Fatalf("job %s %+v, want failed as interrupted", j.Status, j.Error)
		}
	})
}

func TestCancelJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		r.HeartbeatEvery = 10 * time.Millisecond
		running := make(chan struct{}, 1)
		r.Register("test.forever", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
			running <- struct{}{}
			<-ctx.Done()
			return nil, ctx.Err()
		})

		queued, err := r.Submit(as(alice), "test.forever", "MINUSCA", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("Queued", func(t *testing.T) {
			if _, err := r.CancelJob(as(bob), queued.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Fatalf("bob cancels: err = %v, want not found", err)
			}
			j, err := r.CancelJob(as(boss), queued.ID)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status != jobs.StatusCancelled || j.Error == nil || j.Error.Code != "cancelled" {
				t.Fatalf("cancelled queued job: %+v", j)
			}
			if _, err := r.CancelJob(as(alice), queued.ID); peaceops.ErrorCode(err) != peaceops.ECONFLICT {
				t.Fatalf("cancel twice: err = %v, want conflict", err)
			}
		})

		start(t, r)
		t.Run("Running", func(t *testing.T) {
			j, err := r.Submit(as(alice), "test.forever", "MINUSCA", nil)
			if err != nil {
				t.Fatal(err)
			}
			<-running
			if _, err := r.CancelJob(as(alice), j.ID); err != nil {
				t.Fatal(err)
			}
			j = wait(t, r, alice, j.ID)
			if j.Status != jobs.StatusCancelled {
				t.Fatalf("status %s, want cancelled", j.Status)
			}
		})

		t.Run("RunningElsewhere", func(t *testing.T) {
			// The cancel is asked through another server: the runner finds
			// it in the job's record at its next progress write.
			j, err := r.Submit(as(alice), "test.forever", "MINUSCA", nil)
			if err != nil {
				t.Fatal(err)
			}
			<-running
			other := jobs.NewRunner(db, quietLogger(), 1)
			if _, err := other.CancelJob(as(alice), j.ID); err != nil {
				t.Fatal(err)
			}
			j = wait(t, other, alice, j.ID)
			if j.Status != jobs.StatusCancelled {
				t.Fatalf("status %s, want cancelled", j.Status)
			}
		})
	})
}

func TestVisibility(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		r.Register("test.count", countLines)
		mine, err := r.Submit(as(alice), "test.count", "MINUSCA", nil)
		if err != nil {
			t.Fatal(err)
		}
		global, err := r.Submit(as(bob), "test.count", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name        string
			who         peaceops.Actor
			code        string // of FindJobByID(mine)
			listed      int    // jobs FindJobs returns
			seesGlobals bool
		}{
			{"Submitter", alice, "", 1, false},
			{"MissionAdmin", boss, "", 1, false},
			{"Administrator", root, "", 2, true},
			{"System", peaceops.SystemActor(), "", 2, true},
			{"ErrOtherUser", bob, peaceops.ENOTFOUND, 1, true},
			{"ErrAnalystOfMission", analyst, peaceops.ENOTFOUND, 0, false},
			{"ErrMissionAdminElsewhere", outsider, peaceops.ENOTFOUND, 0, false},
			{"ErrAnonymous", peaceops.Actor{}, peaceops.EUNAUTHORIZED, -1, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ctx := peaceops.NewContextWithActor(context.Background(), tt.who)
				j, err := r.FindJobByID(ctx, mine.ID)
				if code := peaceops.ErrorCode(err); code != tt.code {
					t.Fatalf("FindJobByID: err = %v, want %q", err, tt.code)
				}
				if err == nil && j.ID != mine.ID {
					t.Fatalf("got job %s", j.ID)
				}
				list, _, err := r.FindJobs(ctx, jobs.Filter{})
				if tt.listed < 0 {
					if peaceops.ErrorCode(err) != peaceops.EUNAUTHORIZED {
						t.Fatalf("FindJobs: err = %v, want unauthorized", err)
					}
					return
				}
				if err != nil || len(list) != tt.listed {
					t.Fatalf("FindJobs: %v, %d jobs, want %d", err, len(list), tt.listed)
				}
				_, err = r.FindJobByID(ctx, global.ID)
				if (err == nil) != tt.seesGlobals {
					t.Fatalf("FindJobByID(global job): err = %v, want visible %v", err, tt.seesGlobals)
				}
			})
		}
		t.Run("ErrMalformedID", func(t *testing.T) {
			if _, err := r.FindJobByID(as(root), "../etc"); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
				t.Fatalf("err = %v, want not found", err)
			}
		})
	})
}

func TestFindJobsFilterAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := newRunner(db, 1)
		r.Register("test.a", countLines)
		r.Register("test.b", countLines)
		var ids []string
		for i := range 5 {
			kind := "test.a"
			if i%2 == 1 {
				kind = "test.b"
			}
			j, err := r.Submit(as(root), kind, "MINUSCA", nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		list, next, err := r.FindJobs(as(root), jobs.Filter{Limit: 2})
		if err != nil || len(list) != 2 || next == "" || list[0].ID != ids[4] || list[1].ID != ids[3] {
			t.Fatalf("first page: %v %d next %q", err, len(list), next)
		}
		list, next, err = r.FindJobs(as(root), jobs.Filter{Limit: 2, Before: next})
		if err != nil || len(list) != 2 || list[0].ID != ids[2] || next == "" {
			t.Fatalf("second page: %v %d next %q", err, len(list), next)
		}
		list, next, err = r.FindJobs(as(root), jobs.Filter{Limit: 2, Before: next})
		if err != nil || len(list) != 1 || next != "" {
			t.Fatalf("last page: %v %d next %q", err, len(list), next)
		}
		list, _, err = r.FindJobs(as(root), jobs.Filter{Kind: "test.b", Status: jobs.StatusQueued, Mission: "MINUSCA"})
		if err != nil || len(list) != 2 {
			t.Fatalf("kind b: %v %d", err, len(list))
		}
		if _, _, err := r.FindJobs(as(root), jobs.Filter{Status: "stuck"}); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Fatalf("bad status: err = %v", err)
		}
	})
}

// TestTwoRunners: two servers on one database (each with its own
// connections) share the queue; every job runs exactly once.
func TestTwoRunners(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			dbs := make([]*store.DB, 2)
			for i := range dbs {
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				dbs[i] = db
			}
			var mu sync.Mutex
			runs := map[string][]int{} // job id -> the servers that ran it
			for i, db := range dbs {
				r := newRunner(db, 3)
				r.Register("test.once", func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
					mu.Lock()
					runs[j.ID] = append(runs[j.ID], i)
					mu.Unlock()
					return nil, nil
				})
				start(t, r)
			}
			submitter := newRunner(dbs[0], 1)
			submitter.Register("test.once", func(context.Context, *jobs.Job, jobs.Progress) (any, error) { return nil, nil })
			const n = 40
			ids := make([]string, n)
			for i := range ids {
				j, err := submitter.Submit(as(alice), "test.once", "", nil)
				if err != nil {
					t.Fatal(err)
				}
				ids[i] = j.ID
			}
			for _, id := range ids {
				if j := wait(t, submitter, alice, id); j.Status != jobs.StatusSucceeded {
					t.Fatalf("job %s: %s %+v", id, j.Status, j.Error)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			servers := map[int]int{}
			for _, id := range ids {
				if len(runs[id]) != 1 {
					t.Errorf("job %s ran %d times (servers %v)", id, len(runs[id]), runs[id])
				}
				for _, s := range runs[id] {
					servers[s]++
				}
			}
			t.Logf("jobs per server: %v", servers)
		})
	}
}
