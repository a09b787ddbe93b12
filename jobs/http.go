package jobs

import (
	"net/http"

	"github.com/peaceops/peaceops/web"
)

// Routes registers the jobs API and pages:
//
//	GET  /api/v1/jobs              the jobs the caller may see, newest first
//	GET  /api/v1/jobs/{id}         one job: status, progress, total, message, result, error
//	POST /api/v1/jobs/{id}/cancel  cancel a queued or running job
//	GET  /jobs                     the same list as a page
//	GET  /jobs/{id}                a job's page, refreshing itself while it runs
//	POST /jobs/{id}/cancel         the page's cancel button
func (r *Runner) Routes(rt *web.Router) {
	tags := []string{"jobs"}
	rt.API("GET /api/v1/jobs", web.Op{Summary: "List the background jobs the caller may see", Tags: tags, Response: Job{}, List: true,
		Description: "A caller sees the jobs they submitted and, as a mission-admin, those of their missions; administrators see all.",
		Query: []web.Param{
			{Name: "mission", Description: "mission code"},
			{Name: "kind", Description: "job kind, e.g. events.import"},
			{Name: "status", Description: "queued, running, succeeded, failed or cancelled"},
			{Name: "limit", Type: "integer"}, {Name: "cursor"},
		}}, r.handleList)
	rt.API("GET /api/v1/jobs/{id}", web.Op{Summary: "Get a background job with its progress, result or error", Tags: tags, Response: Job{}}, r.handleGet)
	rt.API("POST /api/v1/jobs/{id}/cancel", web.Op{Summary: "Cancel a queued or running job", Tags: tags, Response: Job{}, Idempotent: true}, r.handleCancel)
	r.pageRoutes(rt)
}

func (r *Runner) handleList(w http.ResponseWriter, req *http.Request) error {
	limit, cursor, err := web.ListParams(req)
	if err != nil {
		return err
	}
	before := ""
	if cursor != "" {
		parts, err := web.DecodeCursor(cursor, 1)
		if err != nil {
			return err
		}
		before = parts[0]
	}
	q := req.URL.Query()
	f := Filter{Mission: q.Get("mission"), Kind: q.Get("kind"), Status: Status(q.Get("status")), Before: before, Limit: limit}
	list, next, err := r.FindJobs(req.Context(), f)
	if err != nil {
		return err
	}
	out := web.List[*Job]{Items: list}
	if next != "" {
		out.NextCursor = web.EncodeCursor(next)
	}
	return web.JSON(w, http.StatusOK, out)
}

func (r *Runner) handleGet(w http.ResponseWriter, req *http.Request) error {
	j, err := r.FindJobByID(req.Context(), req.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, j)
}

func (r *Runner) handleCancel(w http.ResponseWriter, req *http.Request) error {
	j, err := r.CancelJob(req.Context(), req.PathValue("id"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, j)
}
