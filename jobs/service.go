package jobs

import (
	"context"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// Who sees a job: the user who submitted it, and whoever may read the
// audit log of its mission (its mission-admins, the administrators). A job
// is a record of work someone did in a mission, and what it holds (counts,
// the bad rows of an upload) belongs with that log. The rule is expressed
// through the policy (access.Can on "audit") rather than by naming roles
// here; a "job" resource type in the policy table would be its natural
// home once the table has an owner-of-record grant for it.
func canSee(a peaceops.Actor, j *Job) bool {
	if !a.Anonymous() && j.ActorID != "" && j.ActorID == a.UserID {
		return true
	}
	return access.Can(a, access.ActionRead, access.Resource{Type: "audit", Mission: j.Mission, Classification: peaceops.Internal})
}

// scopeOf is the listing scope of a: everything for those who may read
// the global audit log, else their own jobs and those of the missions
// whose log they may read.
func scopeOf(a peaceops.Actor) scope {
	if access.Can(a, access.ActionRead, access.Resource{Type: "audit", Classification: peaceops.Internal}) {
		return scope{all: true}
	}
	sc := scope{actorID: a.UserID}
	for _, m := range a.Missions() {
		if access.Can(a, access.ActionRead, access.Resource{Type: "audit", Mission: m, Classification: peaceops.Internal}) {
			sc.missions = append(sc.missions, m)
		}
	}
	return sc
}

// FindJobByID returns job id as the actor in ctx may see it, with the
// latest progress. Errors: EUNAUTHORIZED for an anonymous actor, ENOTFOUND
// when there is no such job or the actor may not see it.
func (r *Runner) FindJobByID(ctx context.Context, id string) (*Job, error) {
	a := peaceops.ActorFromContext(ctx)
	if a.Anonymous() {
		return nil, peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	if !peaceops.ValidID(id) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "job not found")
	}
	var j *Job
	err := r.db.View(ctx, func(tx *store.Tx) error {
		var err error
		j, err = findJobByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !canSee(a, j) {
		return nil, peaceops.Errorf(peaceops.ENOTFOUND, "job not found")
	}
	r.live(j)
	return j, nil
}

// FindJobs returns the jobs matching f that the actor in ctx may see,
// newest first, and the id to pass as Filter.Before for the next page (""
// on the last). Errors: EUNAUTHORIZED, EINVALID for a bad filter.
func (r *Runner) FindJobs(ctx context.Context, f Filter) ([]*Job, string, error) {
	a := peaceops.ActorFromContext(ctx)
	if a.Anonymous() {
		return nil, "", peaceops.Errorf(peaceops.EUNAUTHORIZED, "authentication required")
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	limit := f.Limit
	if limit == 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	f.Limit = limit + 1
	var list []*Job
	err := r.db.View(ctx, func(tx *store.Tx) error {
		var err error
		list, err = findJobs(ctx, tx, f, scopeOf(a))
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID
	}
	for _, j := range list {
		r.live(j)
	}
	return list, next, nil
}

// CancelJob cancels job id: a queued job at once, a running one as soon as
// its server notices (within a heartbeat; at once when it runs here). It
// returns the job as it then is. Whoever may see a job may cancel it.
// Errors: as FindJobByID, and ECONFLICT when the job has already finished.
func (r *Runner) CancelJob(ctx context.Context, id string) (*Job, error) {
	j, err := r.FindJobByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.Status.Final() {
		return nil, peaceops.Errorf(peaceops.ECONFLICT, "the job has already %s", j.Status)
	}
	err = r.db.Update(ctx, func(tx *store.Tx) error {
		done, err := cancelQueued(ctx, tx, id, &Failure{Code: "cancelled", Message: "cancelled", Errors: []Issue{}})
		if err != nil {
			return err
		}
		if !done {
			if err := requestCancel(ctx, tx, id); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, store.Change{Mission: j.Mission, EntityType: "job", EntityID: j.ID, Action: "cancel"})
	})
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	rn := r.running[id]
	r.mu.Unlock()
	if rn != nil {
		rn.cancel(errCancelRequested)
	}
	return r.FindJobByID(ctx, id)
}

// Wait polls job id until it has finished or ctx is done, and returns it
// as it last was (with ctx's error if ctx ended first). It is for callers
// that follow a job: the command line's progress bar, tests. Errors: as
// FindJobByID.
func (r *Runner) Wait(ctx context.Context, id string, every time.Duration) (*Job, error) {
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		j, err := r.FindJobByID(ctx, id)
		if err != nil || j.Status.Final() {
			return j, err
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-t.C:
		}
	}
}
