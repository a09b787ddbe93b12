package events

import (
	"bufio"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/jobs"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// The import of a file of events, as a background job (jobs/): the upload
// page and its form, and the API route taking the raw file. Both check
// that the caller may import into the mission, store the file as the job's
// input and send the caller to the job, whose page shows the progress and
// then the counts or every bad row.

// importTemplates holds the import page and its catalogue; they live apart
// from templates/ so that the two page sets evolve independently.
//
//go:embed templates_import/*
var importTemplates embed.FS

// NewImportPages parses the import page; ImportRoutes uses it, tests call
// it to check the French catalogue (Untranslated).
func NewImportPages() *web.Pages {
	return web.NewPages(importTemplates, "templates_import/*.html", "templates_import/*.json")
}

// MaxImportBytes is the largest file an import takes (200 MiB: a whole
// UCDP GED country series, ACLED exports of several years).
const MaxImportBytes = 200 << 20

// importFormats are the formats the import offers, in the order shown.
var importFormats = []string{FormatUCDP, FormatACLED, FormatHXL}

// importSharedKeys are the texts of the import shown on pages rendered
// with another catalogue: the flash on the job page, errors on web's error
// page.
var importSharedKeys = []string{
	"Import started: this page shows how it goes.",
	"Dry run started: this page shows what the import would do.",
	"your role does not allow importing events into this mission",
}

// importJobKeys are the texts the job pages show for an import job (see
// jobs.Runner.Messages): its label, progress messages and result fields.
var importJobKeys = []string{
	ImportJobKind, msgReading, msgWriting, msgChecking,
	"Read", "Created", "Updated", "Unchanged", "Dry run", "Format", "File",
}

func importMessages() web.Messages { return pickMessages(importSharedKeys) }

// pickMessages returns the entries of keys in the import catalogues.
func pickMessages(keys []string) web.Messages {
	out := web.Messages{}
	for _, lang := range web.Languages() {
		b, err := importTemplates.ReadFile("templates_import/" + lang + ".json")
		if err != nil {
			continue
		}
		var cat map[string]string
		if err := json.Unmarshal(b, &cat); err != nil {
			panic(fmt.Sprintf("events: catalogue %s: %v", lang, err)) // NewImportPages has already refused it
		}
		out[lang] = map[string]string{}
		for _, k := range keys {
			if v, ok := cat[k]; ok {
				out[lang][k] = v
			}
		}
	}
	return out
}

// ImportRoutes registers the import of events as a job on runner (whose
// "events.import" kind RegisterImportJob registers):
//
//	GET  /missions/{code}/events/import              the upload form
//	POST /missions/{code}/events/import              the form: multipart, fields file, format, dry_run
//	POST /api/v1/missions/{code}/events/import       the raw file, ?format=ucdp|acled|hxl&dry_run=true&name=FILE
//
// The posts answer with the job: the page redirects to /jobs/{id}, the API
// answers 202 with the job and Location: /api/v1/jobs/{id}.
func ImportRoutes(r *web.Router, runner *jobs.Runner, svc *Service) {
	ui := &importUI{runner: runner, svc: svc, tpl: NewImportPages()}
	r.Page("GET /missions/{code}/events/import", ui.handleForm)
	// The form's other fields and the multipart framing need a little room
	// beyond the file itself.
	r.PageWith("POST /missions/{code}/events/import", web.PageOpts{MaxBodyBytes: MaxImportBytes + 1<<20}, ui.handleUpload)
	r.API("POST /api/v1/missions/{code}/events/import", web.Op{
		Summary: "Import a file of events (as a background job)",
		Description: "The body is the file itself (Content-Type text/csv, application/geo+json or application/octet-stream), " +
			"at most 200 MiB. The answer is the job (202, Location: /api/v1/jobs/{id}); follow it until its status is " +
			"succeeded (the result holds the counts) or failed (the error lists every bad row; nothing was imported).",
		Tags: []string{"events"}, Response: jobs.Job{}, Status: http.StatusAccepted, MaxBodyBytes: MaxImportBytes,
		Query: []web.Param{
			{Name: "format", Description: "ucdp (UCDP GED CSV or GeoJSON), acled (ACLED CSV) or hxl (HXL-tagged CSV)", Required: true},
			{Name: "dry_run", Type: "boolean", Description: "check and count only: write nothing"},
			{Name: "name", Description: "the file's name: the provenance of HXL rows without one, and the audit entry"},
		}}, ui.handleAPI)
	r.Messages(importMessages())
}

type importUI struct {
	runner *jobs.Runner
	svc    *Service
	tpl    *web.Pages
}

// importable returns nil when the actor of r may import events into
// mission and the mission exists: ENOTFOUND when they may not see it,
// EFORBIDDEN when they may see but not import.
func (u *importUI) importable(r *http.Request, mission string) error {
	a := peaceops.ActorFromContext(r.Context())
	err := access.Check(a, access.ActionImport, access.Resource{Type: resourceType, Mission: mission, Classification: peaceops.Public})
	switch peaceops.ErrorCode(err) {
	case "":
	case peaceops.ENOTFOUND:
		return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
	case peaceops.EFORBIDDEN:
		return peaceops.Errorf(peaceops.EFORBIDDEN, "your role does not allow importing events into this mission")
	default:
		return err
	}
	return u.svc.db.View(r.Context(), func(tx *store.Tx) error {
		_, err := findMissionHost(r.Context(), tx, mission)
		return err
	})
}

// importOption is an entry of the format <select>.
type importOption struct {
	Value    string
	Selected bool
}

// importPage is the data of the upload form.
type importPage struct {
	Mission string
	Formats []importOption
	DryRun  bool
	MaxMiB  int
	Errors  map[string]string // field -> English message
}

func (u *importUI) render(w http.ResponseWriter, r *http.Request, status int, mission, format string, dryRun bool, errs map[string]string) error {
	if format == "" {
		format = FormatUCDP
	}
	page := importPage{Mission: mission, DryRun: dryRun, MaxMiB: MaxImportBytes >> 20, Errors: errs}
	for _, f := range importFormats {
		page.Formats = append(page.Formats, importOption{Value: f, Selected: f == format})
	}
	return u.tpl.Render(w, r, status, "import", page)
}

func (u *importUI) handleForm(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := u.importable(r, mission); err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, mission, r.URL.Query().Get("format"), false, nil)
}

func (u *importUI) handleUpload(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := u.importable(r, mission); err != nil {
		return err
	}
	if r.MultipartForm == nil { // the CSRF check parses it, but not for bearer tokens
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return uploadError(err)
		}
	}
	format := r.PostFormValue("format")
	dryRun := r.PostFormValue("dry_run") != ""
	errs := map[string]string{}
	if !slices.Contains(importFormats, format) {
		errs["format"] = "Choose the format of the file."
	}
	file, hdr, err := r.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile):
		errs["file"] = "Choose a file to import."
	case err != nil:
		return uploadError(err)
	case hdr.Size == 0:
		errs["file"] = "The file is empty."
	}
	if file != nil {
		defer file.Close()
	}
	if len(errs) > 0 {
		return u.render(w, r, http.StatusBadRequest, mission, format, dryRun, errs)
	}
	h := importHeader{Format: format, DryRun: dryRun, Name: fileName(hdr.Filename)}
	j, err := u.runner.SubmitReader(r.Context(), ImportJobKind, mission, importInput(h, file))
	if err != nil {
		return err
	}
	if dryRun {
		web.SetFlash(w, r, "info", "Dry run started: this page shows what the import would do.")
	} else {
		web.SetFlash(w, r, "info", "Import started: this page shows how it goes.")
	}
	return web.Redirect(w, r, "/jobs/"+url.PathEscape(j.ID))
}

// importContentTypes are the media types the API takes the file as.
var importContentTypes = []string{"text/csv", "application/geo+json", "application/json", "application/octet-stream", "text/plain"}

func (u *importUI) handleAPI(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	if err := u.importable(r, mission); err != nil {
		return err
	}
	q := r.URL.Query()
	var fields []peaceops.FieldError
	format := q.Get("format")
	if !slices.Contains(importFormats, format) {
		fields = append(fields, peaceops.FieldError{Field: "format", Message: "must be one of ucdp, acled, hxl"})
	}
	dryRun := false
	if s := q.Get("dry_run"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			fields = append(fields, peaceops.FieldError{Field: "dry_run", Message: "must be true or false"})
		}
		dryRun = b
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !slices.Contains(importContentTypes, mt) {
		fields = append(fields, peaceops.FieldError{Field: "Content-Type", Message: "must be text/csv, application/geo+json or application/octet-stream: send the file itself as the body"})
	}
	if err := peaceops.Invalid(fields); err != nil {
		return err
	}
	body := bufio.NewReader(r.Body)
	if _, err := body.Peek(1); errors.Is(err, io.EOF) {
		return peaceops.Invalid([]peaceops.FieldError{{Field: "body", Message: "is empty: send the file as the request body"}})
	} else if err != nil {
		return uploadError(err)
	}
	h := importHeader{Format: format, DryRun: dryRun, Name: fileName(q.Get("name"))}
	j, err := u.runner.SubmitReader(r.Context(), ImportJobKind, mission, importInput(h, body))
	if err != nil {
		return uploadError(err)
	}
	w.Header().Set("Location", "/api/v1/jobs/"+url.PathEscape(j.ID))
	return web.JSON(w, http.StatusAccepted, j)
}

// uploadError explains a body over the size limit (413) and passes other
// errors on.
func uploadError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errors.Join(peaceops.Errorf(peaceops.EINVALID, "the file is larger than the %d MiB an import takes", MaxImportBytes>>20), err)
	}
	// Anything else wrong with the multipart body is the client's doing
	// (not multipart at all, a broken boundary, a cut-off upload).
	return errors.Join(peaceops.Errorf(peaceops.EINVALID, "the upload could not be read: send the file as multipart/form-data"), err)
}

// fileName keeps the base name of an uploaded file, as valid UTF-8 of at
// most 200 bytes: it names the provenance of HXL rows and the audit entry.
func fileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		return ""
	}
	name = strings.ToValidUTF8(name, "")
	for len(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}
