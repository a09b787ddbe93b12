package events

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/jobs"
)

// ImportJobKind is the kind of the background job that imports a file of
// events into a mission (see RegisterImportJob).
const ImportJobKind = "events.import"

// importHeader is the first line of an import job's input, JSON: how to
// read the file that follows it byte for byte.
type importHeader struct {
	Format string `json:"format"`
	DryRun bool   `json:"dry_run"`
	Name   string `json:"name,omitempty"` // the file's name, for provenance and the audit entry
}

// importInput returns the input of an import job: the header line, then
// the file.
func importInput(h importHeader, file io.Reader) io.Reader {
	b, _ := json.Marshal(h) // strings and a bool always encode
	return io.MultiReader(bytes.NewReader(append(b, '\n')), file)
}

// ImportJobResult is the result of an import job: what was read and what
// was (or, for a dry run, would have been) created, updated and left
// unchanged.
type ImportJobResult struct {
	Format    string `json:"format"`
	File      string `json:"file,omitempty"`
	DryRun    bool   `json:"dry_run"`
	Read      int    `json:"read"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
}

// Progress messages of an import job (the job pages translate them).
const (
	msgReading  = "Reading rows"
	msgWriting  = "Writing events"
	msgChecking = "Checking events"
)

// RegisterImportJob registers the "events.import" job kind on runner: it
// reads the submitted file with NewReader and imports it with svc.Import,
// as the submitter, reporting the rows read as progress. The result is an
// ImportJobResult. When rows are bad the job fails, nothing is written,
// and its error lists every bad row with its line (or GeoJSON feature) and
// reason; a file that cannot be read at all fails with the reason.
func RegisterImportJob(runner *jobs.Runner, svc *Service) {
	runner.Register(ImportJobKind, func(ctx context.Context, j *jobs.Job, p jobs.Progress) (any, error) {
		return runImportJob(ctx, svc, j, p)
	})
	runner.Messages(ImportJobKind, pickMessages(importJobKeys))
}

func runImportJob(ctx context.Context, svc *Service, j *jobs.Job, p jobs.Progress) (any, error) {
	in := bufio.NewReaderSize(j.Input(), 64<<10)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("events: import job %s: read its header: %w", j.ID, err)
	}
	var h importHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("events: import job %s: header: %w", j.ID, err)
	}
	out := ImportJobResult{Format: h.Format, File: h.Name, DryRun: h.DryRun}
	var opts []ReadOption
	if h.Name != "" {
		opts = append(opts, SourceName(h.Name))
	}
	p.Set(0, 0, msgReading)
	rd, err := NewReader(h.Format, in, opts...)
	if err != nil {
		return out, err
	}
	// Import reads everything, then writes: the reader's end marks the
	// change of phase.
	er := &endReader{Reader: rd}
	after := msgWriting
	if h.DryRun {
		after = msgChecking
	}
	res, err := svc.Import(ctx, j.Mission, er, ImportOptions{DryRun: h.DryRun, Name: h.Name, Progress: func(read int) {
		if er.ended {
			p.Set(read, 0, after)
		} else {
			p.Set(read, 0, msgReading)
		}
	}})
	out.Read, out.Created, out.Updated, out.Unchanged = res.Read, res.Created, res.Updated, res.Unchanged
	if len(res.Errors) > 0 {
		return out, rowFailure(res)
	}
	if err != nil {
		return out, err
	}
	p.Set(res.Read, res.Read, "")
	return out, nil
}

// endReader notes when the reader it wraps has reached its end. Import
// calls Next and Progress from one goroutine, so ended needs no lock.
type endReader struct {
	Reader
	ended bool
}

func (r *endReader) Next() (Event, error) {
	e, err := r.Reader.Next()
	if errors.Is(err, io.EOF) {
		r.ended = true
	}
	return e, err
}

// rowFailure is the failure of an import refused for its bad rows: every
// row, with its line or feature, field and reason (up to
// jobs.MaxErrors).
func rowFailure(res ImportResult) *jobs.Failure {
	n := min(len(res.Errors), jobs.MaxErrors)
	problems := make([]jobs.Issue, n)
	for i, re := range res.Errors[:n] {
		problems[i] = jobs.Issue{Line: re.Line, Field: re.Field, Message: re.Message}
		if re.Line == 0 {
			feature := re.Feature
			problems[i].Feature = &feature
		}
	}
	msg := fmt.Sprintf("%d of %d rows are bad: nothing was imported", len(res.Errors), res.Read)
	if len(res.Errors) == 1 {
		msg = fmt.Sprintf("1 of %d rows is bad: nothing was imported", res.Read)
	}
	if len(res.Errors) > n {
		msg += fmt.Sprintf(" (the first %d are listed)", n)
	}
	return &jobs.Failure{Code: peaceops.EINVALID, Message: msg, Errors: problems}
}
