package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// Func does the work of a job of one kind. It runs with ctx carrying the
// submitting actor (so services it calls check access as for them) and
// cancelled when the job is cancelled or the server stops; it reads its
// input with j.Input and reports how far it has got with p. It returns the
// result to store (encoded as JSON; nil for none) or the error that fails
// the job: a *Failure to say exactly what the submitter sees, or any error
// (see Failure). A result returned with an error is stored too.
type Func func(ctx context.Context, j *Job, p Progress) (result any, err error)

// Progress receives a running job's progress.
type Progress interface {
	// Set records that done of total are done (total <= 0: unknown) and
	// what the job is doing now (English, short). It is cheap and never
	// blocks: the latest values are written to the database at most every
	// Runner.ProgressEvery, by another goroutine, so Set may be called from
	// inside a transaction and for every row.
	Set(done, total int, message string)
}

// Runner runs the jobs queued in the database on a pool of workers, and
// answers questions about jobs. Several servers may run a Runner on one
// PostgreSQL database: each job is run by exactly one of them.
//
// Register every kind before Start; change the settings before Start too.
// The methods are safe for concurrent use.
type Runner struct {
	db      *store.DB
	log     *slog.Logger
	workers int
	// id names this runner (host and a new ULID) in jobs.runner: it tells
	// the jobs it runs from those of other servers.
	id string

	// PollEvery is how often an idle worker looks for jobs submitted to
	// other servers (those submitted here wake it at once): default 1s.
	PollEvery time.Duration
	// ProgressEvery is how often at most a running job's progress is
	// written: default 250ms.
	ProgressEvery time.Duration
	// HeartbeatEvery is how often a running job's runner says it is alive
	// when there is no progress to write: default 10s.
	HeartbeatEvery time.Duration
	// StaleAfter is how long a running job may go without a heartbeat
	// before it is taken for the job of a crashed server and failed as
	// interrupted: default 1m. It must be several HeartbeatEvery long.
	StaleAfter time.Duration

	wake chan struct{} // a job was submitted here, or claimed: look again

	mu       sync.Mutex // guards kinds, messages, running, started
	kinds    map[string]Func
	messages map[string]web.Messages // per kind: what its pages say
	running  map[string]*run         // jobs running on this runner, by id
	started  bool
}

// NewRunner returns a Runner on db with workers workers (at least 1). It
// runs nothing until Start.
func NewRunner(db *store.DB, logger *slog.Logger, workers int) *Runner {
	if logger == nil {
		logger = slog.Default()
	}
	host, _ := os.Hostname()
	return &Runner{
		db: db, log: logger, workers: max(workers, 1),
		id:        host + "/" + peaceops.NewID(),
		PollEvery: time.Second, ProgressEvery: 250 * time.Millisecond,
		HeartbeatEvery: 10 * time.Second, StaleAfter: time.Minute,
		wake:  make(chan struct{}, 1),
		kinds: map[string]Func{}, messages: map[string]web.Messages{}, running: map[string]*run{},
	}
}

// Register makes kind runnable by fn. It panics when kind is empty or
// already registered, or when the runner has started: programming errors.
func (r *Runner) Register(kind string, fn Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case kind == "" || fn == nil:
		panic("jobs: Register needs a kind and a function")
	case r.kinds[kind] != nil:
		panic(fmt.Sprintf("jobs: kind %q registered twice", kind))
	case r.started:
		panic(fmt.Sprintf("jobs: kind %q registered after Start", kind))
	}
	r.kinds[kind] = fn
}

// Messages gives the texts the job pages show for jobs of kind, per
// language, keyed by their English text: the kind's label (keyed by the
// kind itself, so English needs an entry too: {"en": {"events.import":
// "Import of events"}}), its progress messages and the labels of its
// result's fields ("Dry run" for the field dry_run). What has no entry is
// shown as it is. Call it at startup, next to Register.
func (r *Runner) Messages(kind string, m web.Messages) {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := r.messages[kind]
	if all == nil {
		all = web.Messages{}
		r.messages[kind] = all
	}
	for lang, cat := range m {
		if all[lang] == nil {
			all[lang] = map[string]string{}
		}
		for k, v := range cat {
			all[lang][k] = v
		}
	}
}

// text returns what the pages show for text of a job of kind in lang, or
// "" when the kind's messages have no entry.
func (r *Runner) text(kind, lang, text string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.messages[kind][lang][text]
}

func (r *Runner) fn(kind string) Func {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kinds[kind]
}

// Submit queues a job of kind for mission (a mission code, "" for global
// work) with input, on behalf of the actor in ctx, and returns it. Errors:
// EUNAUTHORIZED for an anonymous actor, EINVALID for an unknown kind.
// Whether the actor may do the work is for the caller to check before (and
// for the work itself, which runs as them).
func (r *Runner) Submit(ctx context.Context, kind, mission string, input []byte) (*Job, error) {
	return r.SubmitReader(ctx, kind, mission, bytes.NewReader(input))
}

// SubmitReader is Submit with the input read from a reader, stored as it
// is read: an upload goes from its temporary file to the database without
// being whole in memory. The caller limits its size.
func (r *Runner) SubmitReader(ctx context.Context, kind, mission string, input io.Reader) (*Job, error) {
	a := peaceops.ActorFromContext(ctx)
	if a.Anonymous() {
		return nil, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	if r.fn(kind) == nil {
		return nil, peaceops.Errorf(peaceops.EINVALID, "unknown job kind %q", kind)
	}
	var j *Job
	err := r.db.Update(ctx, func(tx *store.Tx) error {
		j = &Job{
			ID: peaceops.NewIDAt(tx.Now), Kind: kind, Mission: mission, ActorID: a.UserID, Actor: a.Name(),
			Status: StatusQueued, CreatedAt: tx.Now, UpdatedAt: tx.Now, Version: 1, runAs: a,
		}
		if err := insertJob(ctx, tx, j); err != nil {
			return err
		}
		size, err := insertInput(ctx, tx, j.ID, input)
		if err != nil {
			return err
		}
		j.InputSize = size
		if err := setInputSize(ctx, tx, j.ID, size); err != nil {
			return err
		}
		return tx.Audit(ctx, store.Change{Mission: mission, EntityType: "job", EntityID: j.ID, Action: "create", After: j})
	})
	if err != nil {
		return nil, err
	}
	r.notify()
	return j, nil
}

// notify wakes an idle worker, if any.
func (r *Runner) notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Start runs the workers until ctx is done, then returns once every job
// running here has stopped and been recorded (a job cut short by the stop
// fails as interrupted). First it fails the jobs that servers which died
// left running; it keeps doing so while it runs. Call it once, typically
// in its own goroutine next to the HTTP server.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		panic("jobs: Start called twice")
	}
	r.started = true
	kinds := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		kinds = append(kinds, k)
	}
	r.mu.Unlock()
	slices.Sort(kinds)

	r.sweep(ctx)
	var wg sync.WaitGroup
	for range r.workers {
		wg.Go(func() { r.work(ctx, kinds) })
	}
	wg.Go(func() {
		t := time.NewTicker(max(r.StaleAfter/2, time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.sweep(ctx)
			}
		}
	})
	wg.Wait()
}

// interrupted is the failure of a job whose server stopped under it.
var interrupted = &Failure{Code: "interrupted", Message: "interrupted: the server running the job stopped before it finished; submit it again", Errors: []Issue{}}

// sweep fails the running jobs of other runners that have stopped
// beating.
func (r *Runner) sweep(ctx context.Context) {
	err := r.db.Update(ctx, func(tx *store.Tx) error {
		ids, err := failStale(ctx, tx, r.id, tx.Now.Add(-r.StaleAfter), interrupted)
		for _, id := range ids {
			r.log.Warn("job interrupted: its server stopped", "job", id)
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		r.log.Error("fail interrupted jobs", "error", err.Error())
	}
}

// work is one worker: it claims and runs jobs until ctx is done.
func (r *Runner) work(ctx context.Context, kinds []string) {
	if len(kinds) == 0 {
		<-ctx.Done()
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for ctx.Err() == nil {
		var j *Job
		var ok bool
		err := r.db.Update(ctx, func(tx *store.Tx) error {
			var err error
			j, ok, err = claimJob(ctx, tx, kinds, r.id)
			return err
		})
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Error("claim a job", "error", err.Error())
		case ok:
			r.notify() // there may be more: let an idle worker look
			r.run(ctx, j)
			continue
		}
		timer.Reset(r.PollEvery)
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// Causes of a job's context being cancelled besides the server stopping.
var (
	errCancelRequested = errors.New("jobs: cancelled")
	errLost            = errors.New("jobs: the job is no longer this runner's")
)

// run is a job running here: its latest progress and how to stop it.
type run struct {
	cancel context.CancelCauseFunc

	mu    sync.Mutex // guards snap and dirty
	snap  snapshot
	dirty bool
}

type snapshot struct {
	done    int
	total   *int
	message string
}

// Set implements Progress.
func (rn *run) Set(done, total int, message string) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.snap.done, rn.snap.message = done, message
	rn.snap.total = nil
	if total > 0 {
		rn.snap.total = &total
	}
	rn.dirty = true
}

// take returns the latest progress and whether it changed since the last
// take.
func (rn *run) take() (snapshot, bool) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	d := rn.dirty
	rn.dirty = false
	return rn.snap, d
}

func (rn *run) latest() snapshot {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return rn.snap
}

// run runs claimed job j to its end and records how it ended.
func (r *Runner) run(ctx context.Context, j *Job) {
	jctx, cancel := context.WithCancelCause(peaceops.NewContextWithActor(ctx, j.runAs))
	defer cancel(nil)
	rn := &run{cancel: cancel, snap: snapshot{done: j.Progress, total: j.Total, message: j.Message}}
	r.mu.Lock()
	r.running[j.ID] = rn
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, j.ID)
		r.mu.Unlock()
	}()
	j.input = func() io.Reader { return &inputReader{ctx: jctx, db: r.db, id: j.ID} }

	tctx, stopTracking := context.WithCancel(ctx)
	tracked := make(chan struct{})
	go func() {
		defer close(tracked)
		r.track(tctx, j.ID, rn)
	}()
	start := time.Now()
	result, err := r.call(jctx, j, rn)
	stopTracking()
	<-tracked

	snap := rn.latest()
	j.Progress, j.Total, j.Message = snap.done, snap.total, snap.message
	cause := context.Cause(jctx)
	switch {
	case errors.Is(cause, errLost):
		r.log.Warn("job finished after another server took it for interrupted", "job", j.ID, "kind", j.Kind)
		return
	case errors.Is(cause, errCancelRequested):
		j.Status, j.Result, j.Error = StatusCancelled, nil, &Failure{Code: "cancelled", Message: "cancelled", Errors: []Issue{}}
	case err != nil && ctx.Err() != nil:
		j.Status, j.Error = StatusFailed, interrupted
	case err != nil:
		j.Status, j.Error = StatusFailed, failureOf(err)
		if j.Error.Code == peaceops.EINTERNAL {
			r.log.Error("job failed", "job", j.ID, "kind", j.Kind, "error", err.Error())
		}
	default:
		j.Status = StatusSucceeded
	}
	if result != nil && j.Status != StatusCancelled {
		b, merr := json.Marshal(result)
		if merr != nil {
			r.log.Error("encode job result", "job", j.ID, "kind", j.Kind, "error", merr.Error())
			j.Status, j.Error = StatusFailed, failureOf(merr)
		} else {
			j.Result = b
		}
	}
	r.finish(ctx, j)
	r.log.Info("job finished", "job", j.ID, "kind", j.Kind, "status", string(j.Status), "duration_ms", time.Since(start).Milliseconds())
}

// call runs the kind's function, turning a panic into an error.
func (r *Runner) call(ctx context.Context, j *Job, p Progress) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("job panicked", "job", j.ID, "kind", j.Kind, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			result, err = nil, fmt.Errorf("jobs: %s panicked: %v", j.Kind, v)
		}
	}()
	fn := r.fn(j.Kind)
	if fn == nil {
		return nil, fmt.Errorf("jobs: kind %q is not registered", j.Kind)
	}
	return fn(ctx, j, p)
}

// finish records the end of j. It outlives the runner's context: a
// stopping server still records what became of its jobs.
func (r *Runner) finish(ctx context.Context, j *Job) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var mine bool
	err := r.db.Update(wctx, func(tx *store.Tx) error {
		var err error
		mine, err = finishJob(wctx, tx, j, r.id)
		return err
	})
	switch {
	case err != nil:
		r.log.Error("record the end of a job", "job", j.ID, "kind", j.Kind, "error", err.Error())
	case !mine:
		r.log.Warn("job finished after another server took it for interrupted", "job", j.ID, "kind", j.Kind)
	}
}

// track writes the progress of running job id as it changes, at most
// every ProgressEvery, and a heartbeat every HeartbeatEvery, until ctx is
// done. It cancels the job when its record asks for it.
func (r *Runner) track(ctx context.Context, id string, rn *run) {
	t := time.NewTicker(r.ProgressEvery)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		snap, changed := rn.take()
		if !changed && time.Since(last) < r.HeartbeatEvery {
			continue
		}
		var p *snapshot
		if changed {
			p = &snap
		}
		var stop bool
		err := r.db.Update(ctx, func(tx *store.Tx) error {
			var err error
			stop, err = beat(ctx, tx, id, r.id, p)
			return err
		})
		if err != nil {
			if ctx.Err() == nil {
				r.log.Error("record job progress", "job", id, "error", err.Error())
			}
			continue
		}
		last = time.Now()
		if stop {
			r.stop(ctx, id, rn)
		}
	}
}

// stop cancels running job id after its record said to: cancelled, or no
// longer this runner's.
func (r *Runner) stop(ctx context.Context, id string, rn *run) {
	var j *Job
	err := r.db.View(ctx, func(tx *store.Tx) error {
		var err error
		j, err = findJobByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return
	}
	if j.Status == StatusRunning {
		rn.cancel(errCancelRequested)
	} else {
		rn.cancel(errLost)
	}
}

// live overlays the in-memory progress of j when it runs here: on SQLite
// the progress writes wait while the job itself holds the one writer.
func (r *Runner) live(j *Job) {
	if j.Status != StatusRunning {
		return
	}
	r.mu.Lock()
	rn := r.running[j.ID]
	r.mu.Unlock()
	if rn == nil {
		return
	}
	s := rn.latest()
	j.Progress, j.Total, j.Message = s.done, s.total, s.message
}

// inputReader streams a job's stored input chunk by chunk.
type inputReader struct {
	ctx context.Context
	db  *store.DB
	id  string
	seq int
	buf []byte
	err error
}

func (ir *inputReader) Read(p []byte) (int, error) {
	for len(ir.buf) == 0 {
		if ir.err != nil {
			return 0, ir.err
		}
		var chunk []byte
		err := ir.db.View(ir.ctx, func(tx *store.Tx) error {
			var err error
			chunk, err = readInputChunk(ir.ctx, tx, ir.id, ir.seq)
			return err
		})
		if err != nil {
			ir.err = err
			continue
		}
		ir.seq++
		ir.buf = chunk
	}
	n := copy(p, ir.buf)
	ir.buf = ir.buf[n:]
	return n, nil
}
