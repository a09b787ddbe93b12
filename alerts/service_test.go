package alerts_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// TestRunOnUCDPCentralAfricanRepublic runs detection on the real UCDP
// events of the Central African Republic as the first of January 2014:
// Bangui, after the attacks of 5 December 2013, gets an alert whose
// explanation names it and gives the counts; running again updates the
// same alerts instead of adding new ones.
func TestRunOnUCDPCentralAfricanRepublic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, alerts.Options{})
		f.importCAR(t)
		res := f.run(t, "ana", at2014)
		for _, a := range res.Alerts {
			t.Logf("%s %s/%d %s", a.Level, a.Area, a.AreaLevel, a.Explanation)
		}
		if want := (alerts.Window{From: peaceops.Date{Year: 2013, Month: 12, Day: 2}, To: peaceops.Date{Year: 2013, Month: 12, Day: 29}}); res.Window != want {
			t.Errorf("window %+v, want the four weeks up to Sunday 29 December 2013 %+v", res.Window, want)
		}
		a := find(res.Alerts, bangui, "")
		if a == nil {
			t.Fatalf("no alert for Bangui; alerts: %q", explanations(res.Alerts))
		}
		if a.Level != alerts.LevelWarning && a.Level != alerts.LevelAlert {
			t.Errorf("Bangui is at %s, want warning or alert: %s", a.Level, a.Explanation)
		}
		counts := regexp.MustCompile(`^Bangui: (\d+) events in the last 28 days vs ([\d.]+) expected`)
		if m := counts.FindStringSubmatch(a.Explanation); m == nil || m[1] != strconv.FormatFloat(a.Observed, 'f', -1, 64) {
			t.Errorf("explanation %q does not start with Bangui and its counts (%v observed)", a.Explanation, a.Observed)
		}
		if a.State != alerts.StateOpen || a.Version != 1 || a.AreaLevel != 1 || a.Mission != "MINUSCA" || a.Window != res.Window {
			t.Errorf("new alert %+v", a)
		}
		if res.Raised != len(res.Alerts) || res.Raised == 0 || res.Series < 17 {
			t.Errorf("run: %d raised, %d alerts, %d series", res.Raised, len(res.Alerts), res.Series)
		}
		before := f.all(t)

		again := f.run(t, "ana", at2014)
		if again.Raised != 0 || again.Updated != len(before) {
			t.Errorf("second run raised %d and updated %d, want 0 and %d", again.Raised, again.Updated, len(before))
		}
		after := f.all(t)
		if len(after) != len(before) {
			t.Fatalf("%d alerts after the second run, %d after the first: duplicated", len(after), len(before))
		}
		b := find(after, bangui, "")
		if b.ID != a.ID || b.Version != a.Version || b.Observed != a.Observed {
			t.Errorf("Bangui after an identical run: %+v, want unchanged %+v", b, a)
		}
		if got := auditCount(t, db, "alert_run", "run"); got != 2 {
			t.Errorf("%d run entries in the audit log, want 2", got)
		}
		if got := auditCount(t, db, "alert", "create"); got != len(before) {
			t.Errorf("%d alert create entries in the audit log, want %d", got, len(before))
		}
	})
}

// TestRunResolvesWhenBackToExpected: an alert whose area shows no level in
// two consecutive runs is resolved, audited, with the reason.
func TestRunResolvesWhenBackToExpected(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, alerts.Options{})
		a := f.raiseBangui(t)
		quiet := time.Date(2018, time.June, 1, 0, 0, 0, 0, time.UTC)

		f.run(t, "ana", quiet)
		got, err := f.alerts.FindAlertByID(f.as("vera"), "MINUSCA", a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != alerts.StateOpen {
			t.Fatalf("after one quiet run Bangui is %s, want still open", got.State)
		}
		res := f.run(t, "ana", quiet)
		if res.Resolved == 0 {
			t.Errorf("second quiet run resolved nothing")
		}
		got, err = f.alerts.FindAlertByID(f.as("vera"), "MINUSCA", a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != alerts.StateResolved || got.StateReason != alerts.ReasonBackToExpected || got.Version != a.Version+1 {
			t.Fatalf("after two quiet runs Bangui is %s (%q) at version %d, want resolved (%q) at %d",
				got.State, got.StateReason, got.Version, alerts.ReasonBackToExpected, a.Version+1)
		}
		if n := auditCount(t, db, "alert", "resolve"); n != res.Resolved {
			t.Errorf("%d resolve entries in the audit log, want %d", n, res.Resolved)
		}

		// Activity rising again later is a new episode: a new alert.
		res = f.run(t, "ana", at2014)
		again := find(res.Alerts, bangui, "")
		if again == nil || again.ID == a.ID || again.State != alerts.StateOpen {
			t.Fatalf("Bangui rising again: %+v, want a new open alert", again)
		}
	})
}

// TestUpdateAlert: acknowledge, resolve, reopen, assign and note, with the
// version check, the handling order and the access rules.
func TestUpdateAlert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, alerts.Options{})
		a := f.raiseBangui(t)
		ana := f.as("ana")
		state := func(s alerts.State) *alerts.State { return &s }
		text := func(s string) *string { return &s }

		ack, err := f.alerts.UpdateAlert(ana, "MINUSCA", a.ID, alerts.Update{State: state(alerts.StateAcknowledged), Owner: text("vera")}, a.Version)
		if err != nil {
			t.Fatal(err)
		}
		if ack.State != alerts.StateAcknowledged || ack.Owner != "vera" || ack.Version != a.Version+1 {
			t.Fatalf("acknowledged: %+v", ack)
		}

		t.Run("ErrStaleVersion", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(ana, "MINUSCA", a.ID, alerts.Update{State: state(alerts.StateResolved)}, a.Version)
			wantCode(t, err, peaceops.EPRECONDITION)
		})
		t.Run("ErrOwnerNotMember", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(ana, "MINUSCA", a.ID, alerts.Update{Owner: text("otto")}, ack.Version)
			wantCode(t, err, peaceops.EINVALID)
			if fe := peaceops.ErrorFields(err); len(fe) != 1 || fe[0].Field != "owner" {
				t.Errorf("fields %+v, want owner", fe)
			}
		})
		t.Run("ErrEmpty", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(ana, "MINUSCA", a.ID, alerts.Update{}, ack.Version)
			wantCode(t, err, peaceops.EINVALID)
		})
		t.Run("ErrViewer", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(f.as("vera"), "MINUSCA", a.ID, alerts.Update{Note: text("seen")}, ack.Version)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrReporter", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(f.as("rita"), "MINUSCA", a.ID, alerts.Update{Note: text("seen")}, ack.Version)
			wantCode(t, err, peaceops.EFORBIDDEN)
		})
		t.Run("ErrOtherMission", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(f.as("otto"), "MINUSCA", a.ID, alerts.Update{Note: text("seen")}, ack.Version)
			wantCode(t, err, peaceops.ENOTFOUND)
			_, err = f.alerts.FindAlertByID(f.as("otto"), "MINUSCA", a.ID)
			wantCode(t, err, peaceops.ENOTFOUND)
			_, err = f.alerts.FindAlertByID(f.as("otto"), "MONUSCO", a.ID)
			wantCode(t, err, peaceops.ENOTFOUND)
		})

		resolved, err := f.alerts.UpdateAlert(ana, "MINUSCA", a.ID, alerts.Update{State: state(alerts.StateResolved),
			Note: text("Confirmed by the JOC: attacks on 5 December and reprisals.")}, ack.Version)
		if err != nil {
			t.Fatal(err)
		}
		if len(resolved.Notes) != 1 || resolved.Notes[0].By != "ana" || resolved.State != alerts.StateResolved {
			t.Fatalf("resolved with a note: %+v", resolved)
		}
		t.Run("ErrResolvedToAcknowledged", func(t *testing.T) {
			_, err := f.alerts.UpdateAlert(ana, "MINUSCA", a.ID, alerts.Update{State: state(alerts.StateAcknowledged)}, resolved.Version)
			wantCode(t, err, peaceops.EINVALID)
		})
		if got := auditCount(t, db, "alert", "update"); got != 2 {
			t.Errorf("%d update entries in the audit log, want 2", got)
		}

		// A run while the episode lasts keeps the resolved alert as it is
		// and raises no new one.
		res := f.run(t, "ana", at2014)
		if b := find(res.Alerts, bangui, ""); b == nil || b.ID != a.ID || b.State != alerts.StateResolved {
			t.Errorf("Bangui after a run on a resolved alert: %+v", b)
		}
		if res.Raised != 0 {
			t.Errorf("run raised %d alerts", res.Raised)
		}

		reopened, err := f.alerts.UpdateAlert(f.as("mina"), "MINUSCA", a.ID, alerts.Update{State: state(alerts.StateOpen), Owner: text("")}, resolved.Version)
		if err != nil {
			t.Fatal(err)
		}
		if reopened.State != alerts.StateOpen || reopened.Owner != "" {
			t.Errorf("reopened: %+v", reopened)
		}
	})
}

// TestRunAccess: analysts, mission-admins and the system actor run
// detection; viewers and reporters may not; other missions do not exist.
func TestRunAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, alerts.Options{})
		for _, tt := range []struct {
			name string
			ctx  func() context.Context
			code string
		}{
			{"OKAnalyst", func() context.Context { return f.as("ana") }, ""},
			{"OKMissionAdmin", func() context.Context { return f.as("mina") }, ""},
			{"OKSystem", func() context.Context { return f.system }, ""},
			{"ErrViewer", func() context.Context { return f.as("vera") }, peaceops.EFORBIDDEN},
			{"ErrReporter", func() context.Context { return f.as("rita") }, peaceops.EFORBIDDEN},
			{"ErrOtherMission", func() context.Context { return f.as("otto") }, peaceops.ENOTFOUND},
			{"ErrAnonymous", context.Background, peaceops.EUNAUTHORIZED},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.alerts.Run(tt.ctx(), "MINUSCA", at2014)
				wantCode(t, err, tt.code)
			})
		}
		t.Run("ErrUnknownMission", func(t *testing.T) {
			_, err := f.alerts.Run(f.system, "UNMISS", at2014)
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("ErrListOtherMission", func(t *testing.T) {
			_, _, err := f.alerts.FindAlerts(f.as("otto"), "MINUSCA", alerts.Filter{})
			wantCode(t, err, peaceops.ENOTFOUND)
		})
		t.Run("ErrBadFilter", func(t *testing.T) {
			_, _, err := f.alerts.FindAlerts(f.as("vera"), "MINUSCA", alerts.Filter{State: "closed", Level: "red"})
			wantCode(t, err, peaceops.EINVALID)
			if n := len(peaceops.ErrorFields(err)); n != 2 {
				t.Errorf("%d field problems, want 2 (state, level)", n)
			}
		})
	})
}

// TestSubscriptionNotifies: a subscription to an area hears of the alerts
// raised there and in the areas below it, once, and only its owner sees
// and reads them.
func TestSubscriptionNotifies(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, alerts.Options{})
		vera := f.as("vera")
		sub := &alerts.Subscription{Area: bangui}
		if err := f.alerts.Subscribe(vera, "MINUSCA", sub); err != nil {
			t.Fatal(err)
		}
		if sub.MinLevel != alerts.LevelWarning || sub.Username != "vera" || !peaceops.ValidID(sub.ID) {
			t.Fatalf("subscription %+v", sub)
		}
		// Subscribing again to the same area replaces, never duplicates.
		if err := f.alerts.Subscribe(vera, "MINUSCA", &alerts.Subscription{Area: bangui, MinLevel: alerts.LevelWarning}); err != nil {
			t.Fatal(err)
		}
		// rita follows battles only: Bangui's alerts are over all events.
		if err := f.alerts.Subscribe(f.as("rita"), "MINUSCA", &alerts.Subscription{Category: "battles"}); err != nil {
			t.Fatal(err)
		}
		subs, err := f.alerts.FindSubscriptions(vera, "MINUSCA")
		if err != nil || len(subs) != 1 {
			t.Fatalf("vera's subscriptions: %d (%v), want 1", len(subs), err)
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			err := f.alerts.Subscribe(vera, "MINUSCA", &alerts.Subscription{Category: "weather", MinLevel: alerts.LevelWatch, Email: "vera at minusca"})
			wantCode(t, err, peaceops.EINVALID)
			if n := len(peaceops.ErrorFields(err)); n != 3 {
				t.Errorf("%d field problems (%v), want 3", n, err)
			}
		})
		t.Run("ErrOtherMission", func(t *testing.T) {
			err := f.alerts.Subscribe(f.as("otto"), "MINUSCA", &alerts.Subscription{})
			wantCode(t, err, peaceops.ENOTFOUND)
		})

		a := f.raiseBangui(t)
		notes, err := f.alerts.FindNotifications(vera)
		if err != nil {
			t.Fatal(err)
		}
		var mine *alerts.Notification
		for _, n := range notes {
			if n.AlertID == a.ID {
				mine = n
			}
			if n.Mission != "MINUSCA" || n.ReadAt != nil || !strings.HasPrefix(n.Explanation, "Bangui") {
				t.Errorf("vera was notified of %+v, want only unread Bangui alerts", n)
			}
		}
		if mine == nil || mine.Level != a.Level {
			t.Fatalf("vera's notifications %+v lack Bangui's alert %s", notes, a.ID)
		}
		if rita, err := f.alerts.FindNotifications(f.as("rita")); err != nil || len(rita) != 0 {
			t.Errorf("rita (battles only) has %d notifications (%v), want none", len(rita), err)
		}

		if res := f.run(t, "ana", at2014); res.Notified != 0 {
			t.Errorf("an identical run notified %d more times", res.Notified)
		}
		wantCode(t, f.alerts.MarkRead(f.as("mina"), mine.ID), peaceops.ENOTFOUND)
		if err := f.alerts.MarkRead(vera, mine.ID); err != nil {
			t.Fatal(err)
		}
		notes, _ = f.alerts.FindNotifications(vera)
		for _, n := range notes {
			if n.ID == mine.ID && n.ReadAt == nil {
				t.Errorf("notification %s still unread", n.ID)
			}
		}

		if err := f.alerts.Unsubscribe(f.as("ana"), "MINUSCA", sub.ID); peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
			t.Errorf("ana deleting vera's subscription: %v, want not found", err)
		}
		if err := f.alerts.Unsubscribe(vera, "MINUSCA", sub.ID); err != nil {
			t.Fatal(err)
		}
		if subs, _ := f.alerts.FindSubscriptions(vera, "MINUSCA"); len(subs) != 0 {
			t.Errorf("%d subscriptions left after unsubscribing", len(subs))
		}
	})
}

// TestSchedule: the scheduled run computes every active mission once per
// interval as the system actor, however many servers tick.
func TestSchedule(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, alerts.Options{})
		second := alerts.NewService(db, f.events, alerts.Options{})
		now := time.Now()
		db.Now = func() time.Time { return now }
		alerts.RunScheduled(f.alerts, f.system, time.Hour)
		alerts.RunScheduled(second, f.system, time.Hour)
		if n := auditCount(t, db, "alert_run", "run"); n != 1 {
			t.Fatalf("%d runs of MINUSCA after two servers ticked, want 1", n)
		}
		last, ok, err := f.alerts.LastRun(f.as("vera"), "MINUSCA")
		if err != nil || !ok || !last.At.Equal(now) {
			t.Fatalf("last run %+v %v %v", last, ok, err)
		}
		now = now.Add(time.Hour)
		alerts.RunScheduled(second, f.system, time.Hour)
		if n := auditCount(t, db, "alert_run", "run"); n != 2 {
			t.Fatalf("%d runs of MINUSCA an interval later, want 2", n)
		}
		// Schedule returns once its context ends.
		ctx, cancel := context.WithCancel(f.system)
		cancel()
		f.alerts.Schedule(ctx, time.Hour)
	})
}
