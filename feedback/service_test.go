package feedback_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/feedback"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// phone is a contact that must never appear in clear at rest.
const phone = "+236 72 45 19 03"

func as(username, mission string, role peaceops.Role) context.Context {
	a := peaceops.Actor{UserID: peaceops.NewID(), Username: username, Roles: map[string][]peaceops.Role{mission: {role}}}
	return peaceops.NewContextWithActor(context.Background(), a)
}

var (
	officer        = as("fiona", "MINUSCA", peaceops.RoleFeedbackOfficer)
	boss           = as("boss", "MINUSCA", peaceops.RoleMissionAdmin)
	vera           = as("vera", "MINUSCA", peaceops.RoleViewer)
	conductOfficer = as("carl", "MINUSCA", peaceops.RoleConductOfficer)
	otto           = as("otto", "MONUSCO", peaceops.RoleFeedbackOfficer)
	admin          = peaceops.NewContextWithActor(context.Background(), peaceops.Actor{UserID: peaceops.NewID(), Username: "admin", Admin: true})
	anon           = context.Background()
	system         = peaceops.NewContextWithActor(context.Background(), peaceops.SystemActor())
)

// referrals records the referrals the service makes.
type referrals struct {
	mu    sync.Mutex
	calls []conduct.Referral
	actor []peaceops.Actor
}

func (r *referrals) CreateFromReferral(ctx context.Context, mission string, ref conduct.Referral) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, ref)
	r.actor = append(r.actor, peaceops.ActorFromContext(ctx))
	return fmt.Sprintf("ALLEGATION-%d", len(r.calls)), nil
}

type fixture struct {
	db    *store.DB
	svc   *feedback.Service
	keys  *sealed.Keyring
	refs  *referrals
	clock *clock
}

// clock is a settable time for the database.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func newFixture(t *testing.T, db *store.DB, opts ...func(*feedback.Options)) *fixture {
	t.Helper()
	keys, err := sealed.ParseKeys(sealed.NewKey("t"))
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2025, 3, 4, 14, 37, 21, 0, time.UTC)}
	db.Now = c.now
	f := &fixture{db: db, keys: keys, refs: &referrals{}, clock: c}
	o := feedback.Options{Keys: keys, Conduct: f.refs, SMSToken: "gateway-secret-token", PerWindow: -1}
	for _, fn := range opts {
		fn(&o)
	}
	f.svc = feedback.NewService(db, o)
	mis := missions.NewService(db, nil)
	for _, m := range []*missions.Mission{
		{Code: "MINUSCA", Name: "MINUSCA", HostCountry: "CAF", StartDate: peaceops.Date{Year: 2014, Month: 4, Day: 10}},
		{Code: "MONUSCO", Name: "MONUSCO", HostCountry: "COD", StartDate: peaceops.Date{Year: 2010, Month: 7, Day: 1}},
	} {
		if err := mis.CreateMission(system, m); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func intake(mut ...func(*feedback.Intake)) feedback.Intake {
	in := feedback.Intake{Category: feedback.CategoryComplaint, Description: "Peacekeepers' trucks damaged the road to the school.",
		Place: "Bambari", PlaceCode: "CF71", Contact: phone, ReplyWanted: true}
	for _, m := range mut {
		m(&in)
	}
	return in
}

// submit sends in anonymously and returns the receipt and the id.
func (f *fixture) submit(t *testing.T, in feedback.Intake) (*feedback.Receipt, string) {
	t.Helper()
	rc, err := f.svc.Submit(anon, "MINUSCA", in, feedback.ChannelWeb, "203.0.113.9")
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	var id string
	err = f.db.SQL().QueryRow(`SELECT id FROM feedback WHERE tracking_hash = $1`, feedback.TrackingHash(rc.TrackingCode)).Scan(&id)
	if err != nil {
		t.Fatalf("find the stored submission: %v", err)
	}
	return rc, id
}

// dump returns every value of the rows of table matching where, as text.
func dump(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.SQL().Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%s\n", cols[i], v.String)
		}
	}
	return b.String()
}

func TestSubmitPrivacy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rc, id := f.submit(t, intake())
		if rc.Received != (peaceops.Date{Year: 2025, Month: 3, Day: 4}) || rc.Status != feedback.StatusReceived {
			t.Fatalf("receipt %+v", rc)
		}
		row := dump(t, db, `SELECT * FROM feedback WHERE id = $1`, id)
		if !strings.Contains(row, "received=2025-03-04") {
			t.Fatalf("the row has no received day:\n%s", row)
		}
		for _, secret := range []string{phone, "72 45 19 03", "203.0.113.9", rc.TrackingCode, strings.ReplaceAll(rc.TrackingCode, "-", ""), "14:37", "1741099041"} {
			if strings.Contains(row, secret) {
				t.Errorf("the stored row holds %q:\n%s", secret, row)
			}
		}
		// Nothing in the row or its timeline is an instant finer than the day.
		midnight := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC).UnixMilli()
		var at int64
		if err := db.SQL().QueryRow(`SELECT at FROM feedback_log WHERE feedback_id = $1`, id).Scan(&at); err != nil || at != midnight {
			t.Errorf("timeline entry at %d (%v), want midnight %d", at, err, midnight)
		}
		var auditAt int64
		var after string
		if err := db.SQL().QueryRow(`SELECT at, after FROM audit_log WHERE entity_id = $1 AND action = 'create'`, id).Scan(&auditAt, &after); err != nil {
			t.Fatal(err)
		}
		if auditAt != midnight {
			t.Errorf("audit entry at %d, want the day's midnight %d", auditAt, midnight)
		}
		if strings.Contains(after, "72 45") || !strings.Contains(after, `"contact":"[redacted]"`) {
			t.Errorf("audit after = %s", after)
		}
		if id[:10] != peaceops.NewIDAt(time.UnixMilli(midnight))[:10] {
			t.Errorf("id %s carries a time finer than the day", id)
		}
		// The database file (and its write-ahead log) holds the number
		// nowhere, in any form it was typed.
		if db.Dialect() == store.SQLite {
			var all []byte
			for _, name := range []string{db.Path(), db.Path() + "-wal"} {
				b, err := os.ReadFile(name)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
			if !bytes.Contains(all, []byte("trucks damaged the road")) {
				t.Fatal("the files do not hold the description either: the search looks in the wrong place")
			}
			for _, s := range []string{phone, "72 45 19 03", "72451903"} {
				if bytes.Contains(all, []byte(s)) {
					t.Errorf("the database files hold %q in clear", s)
				}
			}
		}
	})
}

func TestSubmitErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		noKey := newFixture(t, storetest.Open(t, db.Dialect()), func(o *feedback.Options) { o.Keys = nil })
		limited := newFixture(t, storetest.Open(t, db.Dialect()), func(o *feedback.Options) { o.PerWindow = 2 })
		for _, tc := range []struct {
			name    string
			svc     *feedback.Service
			mission string
			in      feedback.Intake
			code    string
		}{
			{"ErrInvalid", f.svc, "MINUSCA", intake(func(in *feedback.Intake) { in.Description = "" }), peaceops.EINVALID},
			{"ErrNoMission", f.svc, "NOPE", intake(), peaceops.ENOTFOUND},
			{"ErrContactWithoutKey", noKey.svc, "MINUSCA", intake(), peaceops.EINVALID},
			{"OKNoContactWithoutKey", noKey.svc, "MINUSCA", intake(func(in *feedback.Intake) { in.Contact, in.ReplyWanted = "", false }), ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := tc.svc.Submit(anon, tc.mission, tc.in, feedback.ChannelAPI, "x")
				if peaceops.ErrorCode(err) != tc.code {
					t.Fatalf("err = %v, want code %q", err, tc.code)
				}
			})
		}
		t.Run("ErrTooMany", func(t *testing.T) {
			for i := 0; i < 3; i++ {
				_, err := limited.svc.Submit(anon, "MINUSCA", intake(), feedback.ChannelWeb, "198.51.100.1")
				if want := i == 2; (peaceops.ErrorCode(err) == peaceops.ETOOMANY) != want {
					t.Fatalf("submission %d: %v", i+1, err)
				}
			}
			if _, err := limited.svc.Submit(anon, "MINUSCA", intake(), feedback.ChannelWeb, "198.51.100.2"); err != nil {
				t.Fatalf("another sender: %v", err)
			}
		})
	})
}

func TestTriageAndTracking(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rc, id := f.submit(t, intake(func(in *feedback.Intake) { in.Category = feedback.CategoryConcern }))
		tr, err := f.svc.Track(anon, strings.ToLower(rc.TrackingCode), "x")
		if err != nil || tr.Status != feedback.StatusReceived || tr.PublicResponse != "" {
			t.Fatalf("Track = %+v, %v", tr, err)
		}
		misconduct := feedback.CategoryMisconduct
		who := "fiona"
		sub, err := f.svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{Category: &misconduct, AssignedTo: &who, Note: "called the village chief"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != feedback.StatusAcknowledged || sub.Category != misconduct || sub.AssignedTo != "fiona" || sub.Version != 2 || sub.Contact != phone {
			t.Fatalf("after triage: %+v", sub)
		}
		if _, err := f.svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{Close: true}, 1); peaceops.ErrorCode(err) != peaceops.EPRECONDITION {
			t.Fatalf("stale version: %v", err)
		}
		sub, err = f.svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{ReferTo: feedback.TargetConduct}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if sub.AllegationID != "ALLEGATION-1" || sub.Status != feedback.StatusReferred || len(f.refs.calls) != 1 {
			t.Fatalf("after referral: %+v, calls %v", sub, f.refs.calls)
		}
		ref := f.refs.calls[0]
		if ref.FeedbackID != id || ref.Received != rc.Received || ref.Channel != "web" || !strings.Contains(ref.Summary, "trucks damaged") || strings.Contains(ref.Summary, "72 45") {
			t.Fatalf("referral %+v", ref)
		}
		if _, err := f.svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{ReferTo: feedback.TargetConduct}, 3); peaceops.ErrorCode(err) != peaceops.ECONFLICT {
			t.Fatalf("second conduct referral: %v", err)
		}
		resp := "The battalion will repair the road this week."
		if _, err := f.svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{PublicResponse: &resp, Close: true}, 3); err != nil {
			t.Fatal(err)
		}
		tr, err = f.svc.Track(anon, rc.TrackingCode, "x")
		if err != nil || tr.Status != feedback.StatusClosed || tr.PublicResponse != resp || tr.ClosedOn != rc.Received {
			t.Fatalf("Track after closing = %+v, %v", tr, err)
		}
		if _, err := f.svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{Note: "late"}, 4); peaceops.ErrorCode(err) != peaceops.ECONFLICT {
			t.Fatalf("triage of a closed submission: %v", err)
		}
		got, err := f.svc.FindFeedbackByID(officer, "MINUSCA", id)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range got.Timeline {
			actions = append(actions, e.Action)
			if e.Action == "note" && e.Public {
				t.Error("an internal note is public")
			}
		}
		if want := "received acknowledged categorised assigned note referred responded closed"; strings.Join(actions, " ") != want {
			t.Errorf("timeline %v, want %s", actions, want)
		}
		// The audit trail of the triage never holds the contact.
		if log := dump(t, db, `SELECT before, after FROM audit_log WHERE entity_id = $1`, id); strings.Contains(log, "72 45") {
			t.Errorf("audit holds the contact:\n%s", log)
		}
		if _, err := f.svc.Track(anon, feedback.NewTrackingCode(), "x"); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}
	})
}

func TestAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, id := f.submit(t, intake())
		for _, tc := range []struct {
			name    string
			ctx     context.Context
			read    string // error code of reading
			contact bool
			triage  string
		}{
			{"FeedbackOfficer", officer, "", true, ""},
			{"MissionAdminReadsWithoutContact", boss, "", false, peaceops.EFORBIDDEN},
			{"AdminReadsWithoutContact", admin, "", false, ""},
			{"ViewerSeesNothing", vera, peaceops.ENOTFOUND, false, peaceops.ENOTFOUND},
			{"ConductOfficerSeesNothing", conductOfficer, peaceops.ENOTFOUND, false, peaceops.ENOTFOUND},
			{"OtherMissionSeesNothing", otto, peaceops.ENOTFOUND, false, peaceops.ENOTFOUND},
			{"Anonymous", anon, peaceops.EUNAUTHORIZED, false, peaceops.EUNAUTHORIZED},
		} {
			t.Run(tc.name, func(t *testing.T) {
				sub, err := f.svc.FindFeedbackByID(tc.ctx, "MINUSCA", id)
				if peaceops.ErrorCode(err) != tc.read {
					t.Fatalf("read: %v, want %q", err, tc.read)
				}
				list, _, lerr := f.svc.FindFeedback(tc.ctx, "MINUSCA", feedback.Filter{})
				if peaceops.ErrorCode(lerr) != tc.read {
					t.Fatalf("list: %v, want %q", lerr, tc.read)
				}
				if err == nil {
					if (sub.Contact == phone) != tc.contact || (list[0].Contact == phone) != tc.contact {
						t.Fatalf("contact %q / %q, want shown %v", sub.Contact, list[0].Contact, tc.contact)
					}
					if !tc.contact && (!sub.ContactWithheld || sub.Contact != "") {
						t.Fatalf("contact not withheld: %+v", sub)
					}
				}
				_, err = f.svc.TriageFeedback(tc.ctx, "MINUSCA", id, feedback.Triage{Note: "x"}, 999)
				want := tc.triage
				if want == "" {
					want = peaceops.EPRECONDITION // allowed: only the version is wrong
				}
				if peaceops.ErrorCode(err) != want {
					t.Fatalf("triage: %v, want %q", err, want)
				}
			})
		}
	})
}

func TestOverdue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, late := f.submit(t, intake())
		_, acked := f.submit(t, intake())
		if _, err := f.svc.TriageFeedback(officer, "MINUSCA", acked, feedback.Triage{Acknowledge: true}, 1); err != nil {
			t.Fatal(err)
		}
		// Received on 4 March: acknowledgement due 7 March, resolution 3 April.
		for _, tc := range []struct {
			name string
			day  time.Time
			want []string
		}{
			{"NoneOnTheDueDay", time.Date(2025, 3, 7, 23, 0, 0, 0, time.UTC), nil},
			{"UnacknowledgedAfterAckDue", time.Date(2025, 3, 8, 1, 0, 0, 0, time.UTC), []string{late}},
			{"BothAfterResolveDue", time.Date(2025, 4, 4, 1, 0, 0, 0, time.UTC), []string{acked, late}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f.clock.set(tc.day)
				list, _, err := f.svc.FindFeedback(officer, "MINUSCA", feedback.Filter{Overdue: true})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range list {
					got = append(got, s.ID)
					if !s.Overdue {
						t.Errorf("%s listed overdue but not flagged", s.ID)
					}
				}
				if strings.Join(got, ",") != strings.Join(tc.want, ",") {
					t.Fatalf("overdue %v, want %v", got, tc.want)
				}
			})
		}
	})
}

func TestListPaging(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var ids []string
		for i := range 5 {
			f.clock.set(time.Date(2025, 3, 1+i%3, 9, 0, 0, 0, time.UTC))
			_, id := f.submit(t, intake(func(in *feedback.Intake) {
				if i%2 == 0 {
					in.Category = feedback.CategoryTip
				}
			}))
			ids = append(ids, id)
		}
		var seen []string
		cursor := ""
		for {
			page, next, err := f.svc.FindFeedback(officer, "MINUSCA", feedback.Filter{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page {
				seen = append(seen, s.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		slices.Sort(seen)
		slices.Sort(ids)
		if !slices.Equal(seen, ids) {
			t.Fatalf("paged through %v, want each of %v once", seen, ids)
		}
		tips, _, err := f.svc.FindFeedback(officer, "MINUSCA", feedback.Filter{Category: feedback.CategoryTip})
		if err != nil || len(tips) != 3 {
			t.Fatalf("tips: %d, %v", len(tips), err)
		}
		if _, _, err := f.svc.FindFeedback(officer, "MINUSCA", feedback.Filter{Status: "lost"}); peaceops.ErrorCode(err) != peaceops.EINVALID {
			t.Fatalf("bad filter: %v", err)
		}
	})
}

func TestSMS(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, tc := range []struct {
			name, token, text string
			code              string
			keepsNumber       bool
		}{
			{"ErrWrongToken", "nope", "hello", peaceops.EUNAUTHORIZED, false},
			{"OKNoReplyKeepsNoNumber", "gateway-secret-token", "TIP armed men seen near the river", "", false},
			{"OKReplyKeepsNumberSealed", "gateway-secret-token", "R complaint no water at the camp", "", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				reply, err := f.svc.ReceiveSMS(anon, "MINUSCA", tc.token, feedback.SMS{From: phone, Text: tc.text, Time: "2025-03-04T06:00:00Z"})
				if peaceops.ErrorCode(err) != tc.code {
					t.Fatalf("err %v, want %q", err, tc.code)
				}
				if err != nil {
					return
				}
				if !strings.Contains(reply.Reply, reply.TrackingCode) {
					t.Fatalf("reply %+v", reply)
				}
				var sealedContact string
				var replyWanted int
				if err := db.SQL().QueryRow(`SELECT contact_sealed, reply_wanted FROM feedback WHERE tracking_hash = $1`, feedback.TrackingHash(reply.TrackingCode)).Scan(&sealedContact, &replyWanted); err != nil {
					t.Fatal(err)
				}
				if (sealedContact != "") != tc.keepsNumber || (replyWanted == 1) != tc.keepsNumber || strings.Contains(sealedContact, "7245") {
					t.Fatalf("contact_sealed %q reply_wanted %d", sealedContact, replyWanted)
				}
				tr, err := f.svc.ReceiveSMS(anon, "MINUSCA", tc.token, feedback.SMS{From: phone, Text: "track " + reply.TrackingCode})
				if err != nil || !strings.Contains(tr.Reply, "received") {
					t.Fatalf("TRACK: %+v, %v", tr, err)
				}
			})
		}
		fr, err := f.svc.ReceiveSMS(anon, "MINUSCA", "gateway-secret-token", feedback.SMS{From: "+23672000009", Text: "PLAINTE les soldats demandent de l'argent"})
		if err != nil || !strings.HasPrefix(fr.Reply, "Message reçu. Votre code de suivi est "+fr.TrackingCode) {
			t.Fatalf("French message: %+v, %v", fr, err)
		}
		off := feedback.NewService(db, feedback.Options{})
		if _, err := off.ReceiveSMS(anon, "MINUSCA", "", feedback.SMS{From: phone, Text: "x"}); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Fatalf("webhook without a token configured: %v", err)
		}
	})
}

// TestConductReferral wires the real conduct service: a misconduct
// referral creates an allegation linked to the submission, which conduct
// officers see.
func TestConductReferral(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cs := conduct.NewService(db, f.keys)
		svc := feedback.NewService(db, feedback.Options{Keys: f.keys, Conduct: cs, PerWindow: -1})
		rc, err := svc.Submit(anon, "MINUSCA", intake(func(in *feedback.Intake) { in.Category = feedback.CategoryMisconduct }), feedback.ChannelWeb, "x")
		if err != nil {
			t.Fatal(err)
		}
		var id string
		db.SQL().QueryRow(`SELECT id FROM feedback WHERE tracking_hash = $1`, feedback.TrackingHash(rc.TrackingCode)).Scan(&id)
		sub, err := svc.TriageFeedback(officer, "MINUSCA", id, feedback.Triage{ReferTo: feedback.TargetConduct}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sub.AllegationID == "" {
			t.Fatal("no allegation id kept")
		}
		a, err := cs.FindAllegation(conductOfficer, "MINUSCA", sub.AllegationID)
		if err != nil {
			t.Fatalf("the conduct officer cannot find the allegation: %v", err)
		}
		if a.FeedbackID != id || a.ReceivedVia != conduct.ViaCommunity {
			t.Fatalf("allegation %+v", a)
		}
	})
}
