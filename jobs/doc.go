// Package jobs runs long work in the background with its progress shown:
// imports, exports, reports, rollups (DESIGN.md §6: "long work runs as a
// job with progress shown").
//
// A capability registers a kind of job on the Runner with the function that
// does the work; a request handler submits a job of that kind with its
// input (an uploaded file) and answers at once with the job's id; a worker
// of any server sharing the database claims it, runs the function as the
// submitting actor (so the work passes the same access checks as the
// request would have) and records progress, result or error. The state of
// every job and its input live in the database, so behind a load balancer
// any server shows any job's progress, and a job survives the restart of
// the server it was submitted to.
//
// job.go holds the Job type, its statuses, Filter and Failure; runner.go
// the Runner (Register, Submit, Start, the workers, progress and
// heartbeats); service.go the reads (FindJobByID, FindJobs) and CancelJob;
// store.go the SQL; http.go the JSON API; pages.go and templates/ the job
// page with its progress bar, which refreshes itself (meta refresh without
// JavaScript, htmx polling of a fragment with it).
//
// What does not live here: what a job does. Each capability keeps its job
// functions next to its service (events/import_job.go).
package jobs
