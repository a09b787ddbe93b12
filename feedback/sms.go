package feedback

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/peaceops/peaceops"
)

// SMS is one inbound text message as a gateway delivers it.
type SMS struct {
	From string `json:"from"`
	Text string `json:"text"`
	// Time is when the gateway received the message (RFC 3339); only its
	// day is kept. Empty: today.
	Time string `json:"time"`
}

// SMSReply is the webhook's answer: the text the gateway should send back
// to the sender.
type SMSReply struct {
	TrackingCode string `json:"tracking_code"`
	Reply        string `json:"reply"`
}

// A text message becomes a submission by this convention (told to the
// public on the mission's posters and radio spots):
//
//	[R|REPLY] [CATEGORY] description
//
// A first word "R" or "REPLY" (any case, also "REPONSE"/"RÉPONSE") asks for
// a reply: only then is the sender's number kept, sealed. A next word
// naming a category (English or French: COMPLAINT/PLAINTE, CONCERN/
// PREOCCUPATION, TIP/INFO, MISCONDUCT/ABUS, HELP/AIDE, OTHER/AUTRE) sets
// it; otherwise the category is "other" and an officer sets it. The rest is
// the description. "TRACK <code>" asks for the status of a tracking code
// instead.
type parsedSMS struct {
	Track       string // a tracking code asked about ("" for a submission)
	ReplyWanted bool
	Category    Category
	Description string
	Day         peaceops.Date
	// Lang is "fr" when the keywords were French (the reply is then in
	// French), else "".
	Lang string
}

var smsCategories = map[string]Category{
	"COMPLAINT": CategoryComplaint, "PLAINTE": CategoryComplaint,
	"CONCERN": CategoryConcern, "PREOCCUPATION": CategoryConcern, "PRÉOCCUPATION": CategoryConcern,
	"TIP": CategoryTip, "INFO": CategoryTip,
	"MISCONDUCT": CategoryMisconduct, "ABUS": CategoryMisconduct, "ABUSE": CategoryMisconduct,
	"HELP": CategoryAssistance, "AIDE": CategoryAssistance, "ASSISTANCE": CategoryAssistance,
	"OTHER": CategoryOther, "AUTRE": CategoryOther,
}

var replyWords = map[string]bool{"R": true, "REPLY": true, "REPONSE": true, "RÉPONSE": true}

// frenchWords are the keywords that make the reply French.
var frenchWords = map[string]bool{"REPONSE": true, "RÉPONSE": true, "PLAINTE": true, "PREOCCUPATION": true,
	"PRÉOCCUPATION": true, "ABUS": true, "AIDE": true, "AUTRE": true, "SUIVI": true}

// parseSMS reads a message by the convention above. today is the day used
// when the message has no time. Errors are EINVALID naming the field.
func parseSMS(m SMS, today peaceops.Date) (parsedSMS, error) {
	var errs []peaceops.FieldError
	add := func(field, msg string) { errs = append(errs, peaceops.FieldError{Field: field, Message: msg}) }
	var p parsedSMS
	if !utf8.ValidString(m.Text) || strings.ContainsRune(m.Text, 0) {
		add("text", "must be valid text")
	}
	from := normalizePhone(m.From)
	if from == "" {
		add("from", "must be a phone number")
	}
	p.Day = today
	if t := strings.TrimSpace(m.Time); t != "" {
		at, err := time.Parse(time.RFC3339, t)
		if err != nil {
			add("time", "must be an RFC 3339 date-time")
		} else {
			p.Day = peaceops.DateOf(at.UTC())
		}
	}
	if len(errs) > 0 {
		return p, peaceops.Invalid(errs)
	}
	words := strings.FieldsFunc(m.Text, unicode.IsSpace)
	upper := func(i int) string {
		if i >= len(words) {
			return ""
		}
		return strings.ToUpper(strings.Trim(words[i], ".,:;!"))
	}
	i := 0
	if frenchWords[upper(0)] || frenchWords[upper(1)] {
		p.Lang = "fr"
	}
	if upper(0) == "TRACK" || upper(0) == "SUIVI" {
		if len(words) < 2 {
			return p, peaceops.Invalid([]peaceops.FieldError{{Field: "text", Message: "TRACK needs a tracking code"}})
		}
		code, err := ParseTrackingCode(strings.Join(words[1:], ""))
		if err != nil {
			return p, err
		}
		p.Track = code
		return p, nil
	}
	if replyWords[upper(i)] {
		p.ReplyWanted = true
		i++
	}
	p.Category = CategoryOther
	if c, ok := smsCategories[upper(i)]; ok {
		p.Category = c
		i++
	}
	p.Description = strings.Join(words[min(i, len(words)):], " ")
	if p.Description == "" {
		return p, peaceops.Invalid([]peaceops.FieldError{{Field: "text", Message: "is empty: write what happened after the keywords"}})
	}
	if utf8.RuneCountInString(p.Description) > MaxDescription {
		return p, peaceops.Invalid([]peaceops.FieldError{{Field: "text", Message: "must be at most 4000 characters"}})
	}
	return p, nil
}

// normalizePhone keeps a leading + and the digits of s, or returns "" when
// that is not a plausible number (5 to 15 digits, E.164's maximum).
func normalizePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	out := b.String()
	n := len(strings.TrimPrefix(out, "+"))
	if n < 5 || n > 15 {
		return ""
	}
	return out
}
