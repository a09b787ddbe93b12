package feedback

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// SMSTokenHeader carries the SMS gateway's shared secret.
const SMSTokenHeader = "X-Feedback-Token"

// publicPatterns are the routes the public uses: their access log lines
// carry no client address (see PrivateLogHandler).
var publicPatterns = []string{
	"POST /api/v1/missions/{code}/feedback",
	"POST /api/v1/missions/{code}/feedback/sms",
	"POST /api/v1/feedback/track",
	"GET /feedback/track",
	"POST /feedback/track",
	"GET /feedback/{code}",
	"POST /feedback/{code}",
}

// trackRequest is the body of POST /api/v1/feedback/track.
type trackRequest struct {
	Code string `json:"code"`
}

// Routes registers the feedback API and pages.
func (s *Service) Routes(r *web.Router) {
	tags := []string{"feedback"}
	base := "/api/v1/missions/{code}/feedback"
	r.API("POST "+base, web.Op{Summary: "Send feedback to a mission (anyone, no account)", Tags: tags, Request: Intake{}, Response: Receipt{},
		Status: http.StatusCreated, Public: true,
		Description: "category is complaint, concern, tip, misconduct, assistance or other; place_code (an admin area P-code) and place are optional and coarse; " +
			"contact is optional, kept sealed and shown only to feedback officers. The answer holds the tracking code to follow the submission with. " +
			"No address, user agent or time finer than the day is stored; too many submissions from one sender in a few minutes get 429."}, s.handleSubmit)
	r.API("POST "+base+"/sms", web.Op{Summary: "Inbound SMS webhook of the mission's gateway", Tags: tags, Request: SMS{}, Response: SMSReply{}, Public: true,
		Description: "The gateway authenticates with the shared secret in the " + SMSTokenHeader + " header. Text convention: [R|REPLY] [CATEGORY] description; " +
			"R or REPLY first asks for a reply, and only then is the sender's number kept (sealed). TRACK <code> asks for a status. " +
			"The answer's reply is the text to send back to the sender."}, s.handleSMS)
	r.API("POST /api/v1/feedback/track", web.Op{Summary: "Follow a submission with its tracking code (anyone)", Tags: tags, Request: trackRequest{}, Response: Tracking{}, Public: true,
		Description: "The code travels in the body, not the URL, so it stays out of logs and histories."}, s.handleTrack)
	r.API("GET "+base, web.Op{Summary: "List or export the feedback of a mission (feedback officers, mission-admins)", Tags: tags, Response: Submission{}, List: true,
		Description: "Newest first. ?format=csv (or Accept: text/csv) exports the whole filtered selection (feedback officers). Contacts appear for feedback officers only.",
		Query: []web.Param{
			{Name: "status", Description: "received, acknowledged, referred, responded or closed"},
			{Name: "category", Description: "complaint, concern, tip, misconduct, assistance or other"},
			{Name: "assigned_to", Description: "the officer in charge"},
			{Name: "open", Type: "boolean", Description: "only submissions not closed"},
			{Name: "overdue", Type: "boolean", Description: "only submissions past a service-level deadline"},
		}, Formats: []string{web.MediaCSV}}, s.handleList)
	r.API("GET "+base+"/{id}", web.Op{Summary: "Get a submission and its timeline", Tags: tags, Response: Submission{}}, s.handleGet)
	r.API("PATCH "+base+"/{id}", web.Op{Summary: "Triage a submission (feedback officers)", Tags: tags, Request: Triage{}, Response: Submission{}, IfMatch: true,
		Description: "Any of: acknowledge, category, assigned_to, refer_to (conduct creates a misconduct allegation; human-rights, protection-of-civilians, humanitarian-partner), " +
			"public_response (shown on the tracking page), note (internal), close."}, s.handleTriage)
	s.pageRoutes(r)
}

func (s *Service) handleSubmit(w http.ResponseWriter, r *http.Request) error {
	var in Intake
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	rc, err := s.Submit(r.Context(), r.PathValue("code"), in, ChannelAPI, web.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, rc)
}

func (s *Service) handleSMS(w http.ResponseWriter, r *http.Request) error {
	var m SMS
	if err := web.Decode(r, &m); err != nil {
		return err
	}
	reply, err := s.ReceiveSMS(r.Context(), r.PathValue("code"), r.Header.Get(SMSTokenHeader), m)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, reply)
}

func (s *Service) handleTrack(w http.ResponseWriter, r *http.Request) error {
	var req trackRequest
	if err := web.Decode(r, &req); err != nil {
		return err
	}
	t, err := s.Track(r.Context(), req.Code, web.ClientIP(r))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, t)
}

// filterFromQuery reads the queue filters, reporting every bad one.
func filterFromQuery(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Status: Status(q.Get("status")), Category: Category(q.Get("category")), AssignedTo: strings.TrimSpace(q.Get("assigned_to"))}
	var errs []peaceops.FieldError
	flag := func(name string) bool {
		v := q.Get(name)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, peaceops.FieldError{Field: name, Message: "must be true or false"})
		}
		return b
	}
	f.Open, f.Overdue = flag("open"), flag("overdue")
	return f, peaceops.Invalid(errs)
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) error {
	mission := r.PathValue("code")
	f, err := filterFromQuery(r)
	if err != nil {
		return err
	}
	switch web.Negotiate(r, web.MediaJSON, web.MediaCSV) {
	case web.MediaCSV:
		return s.exportCSV(w, r, mission, f)
	case "":
		return web.UnsupportedFormat(web.MediaJSON, web.MediaCSV)
	}
	if f.Limit, f.Cursor, err = web.ListParams(r); err != nil {
		return err
	}
	items, next, err := s.FindFeedback(r.Context(), mission, f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, web.List[*Submission]{Items: items, NextCursor: next})
}

// csvHeader is the header of the CSV export.
var csvHeader = []string{"id", "mission", "received", "channel", "category", "place_code", "place", "description",
	"status", "assigned_to", "referred_to", "allegation_id", "public_response", "ack_due", "resolve_due", "overdue",
	"reply_wanted", "contact"}

func (s *Service) exportCSV(w http.ResponseWriter, r *http.Request, mission string, f Filter) error {
	// Check before the first byte goes out, so a refusal is a clean 403/404.
	var rows []*Submission
	err := s.EachFeedback(r.Context(), mission, f, func(sub *Submission) error {
		rows = append(rows, sub)
		return nil
	})
	if err != nil {
		return err
	}
	return web.WriteCSV(w, "feedback-"+mission+".csv", csvHeader, func(yield func([]string) error) error {
		for _, sub := range rows {
			contact := sub.Contact
			if sub.ContactWithheld {
				contact = "(withheld)"
			}
			if err := yield([]string{sub.ID, sub.Mission, sub.Received.String(), string(sub.Channel), string(sub.Category),
				sub.PlaceCode, sub.Place, sub.Description, string(sub.Status), sub.AssignedTo, string(sub.ReferredTo),
				sub.AllegationID, sub.PublicResponse, sub.AckDue.String(), sub.ResolveDue.String(),
				strconv.FormatBool(sub.Overdue), strconv.FormatBool(sub.ReplyWanted), contact}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.FindFeedbackByID(r.Context(), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.SetETag(w, sub.Version)
	return web.JSON(w, http.StatusOK, sub)
}

func (s *Service) handleTriage(w http.ResponseWriter, r *http.Request) error {
	version, err := web.IfMatch(r)
	if err != nil {
		return err
	}
	var t Triage
	if err := web.Decode(r, &t); err != nil {
		return err
	}
	sub, err := s.TriageFeedback(r.Context(), r.PathValue("code"), r.PathValue("id"), t, version)
	if err != nil {
		return err
	}
	web.SetETag(w, sub.Version)
	return web.JSON(w, http.StatusOK, sub)
}
