package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/conduct"
	"github.com/peaceops/peaceops/ddr"
	"github.com/peaceops/peaceops/events"
	"github.com/peaceops/peaceops/feedback"
	"github.com/peaceops/peaceops/forces"
	"github.com/peaceops/peaceops/geo"
	"github.com/peaceops/peaceops/jobs"
	"github.com/peaceops/peaceops/mandates"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/results"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// serverOptions are the settings of the HTTP server that flags control.
type serverOptions struct {
	SecureCookies bool
	TrustProxy    bool
	Logger        *slog.Logger
	Access        access.Options
	SMTP          *alerts.SMTPConfig
	BaseURL       string
	// AlertsEvery is how often early warning runs for every mission; 0
	// turns the scheduler off.
	AlertsEvery time.Duration
	// DataKeys encrypt the fields kept sealed (victim identities, reply
	// numbers); nil: those fields cannot be written.
	DataKeys *sealed.Keyring
	// FeedbackSMSToken is the shared secret of the SMS gateway posting to
	// the feedback webhook; "" turns the webhook off.
	FeedbackSMSToken string
	// Landing is the page to open after signing in that serve prints
	// with its address (the demo's map); "" prints none.
	Landing string
}

// app is the assembled application: the HTTP server and the background
// work that runs beside it.
type app struct {
	srv    *web.Server
	runner *jobs.Runner
	alerts *alerts.Service
	opts   serverOptions
}

// newApp builds the services over db and registers every module's routes:
// the one place where the application is assembled.
func newApp(db *store.DB, opts serverOptions) *app {
	if opts.Logger == nil {
		opts.Logger = newQuietLogger()
	}
	acc := access.NewService(db, opts.Access)
	mis := missions.NewService(db, acc)
	aud := audit.NewService(db)
	areas := geo.NewService(db)
	evs := events.NewService(db, areas)
	ale := alerts.NewService(db, evs, alerts.Options{Logger: opts.Logger, Access: acc, Missions: mis, SMTP: opts.SMTP, BaseURL: opts.BaseURL})
	man := mandates.NewService(db)
	res := results.NewService(db, evs, results.Options{Tasks: man, Missions: mis})
	frc := forces.NewService(db, man)
	con := conduct.NewService(db, opts.DataKeys)
	fb := feedback.NewService(db, feedback.Options{Keys: opts.DataKeys, Conduct: con, SMSToken: opts.FeedbackSMSToken})
	dd := ddr.NewService(db)
	runner := jobs.NewRunner(db, opts.Logger, 2)
	events.RegisterImportJob(runner, evs)

	// The public feedback routes log no client address.
	opts.Logger = slog.New(feedback.PrivateLogHandler(opts.Logger.Handler()))
	srv := web.NewServer(web.Config{
		DB: db, Auth: acc, Logger: opts.Logger, Version: version,
		SecureCookies: opts.SecureCookies, TrustProxy: opts.TrustProxy,
		Missions: func(ctx context.Context, a peaceops.Actor) ([]web.MissionRef, error) {
			ctx = peaceops.NewContextWithActor(ctx, a)
			list, _, err := mis.FindMissions(ctx, missions.Filter{Limit: 1000})
			if err != nil {
				return nil, err
			}
			refs := make([]web.MissionRef, len(list))
			for i, m := range list {
				refs[i] = web.MissionRef{Code: m.Code, Name: m.Name}
			}
			return refs, nil
		},
		UserLanguage: func(ctx context.Context, a peaceops.Actor) string {
			u, err := acc.FindUserByUsername(peaceops.NewContextWithActor(ctx, a), a.Username)
			if err != nil {
				return ""
			}
			return u.Language
		},
	})
	r := srv.Router()
	mis.Routes(r)
	evs.Routes(r)
	evs.PageRoutes(r)
	events.ImportRoutes(r, runner, evs)
	ale.Routes(r)
	areas.Routes(r)
	runner.Routes(r)
	man.Routes(r)
	man.PageRoutes(r)
	res.Routes(r)
	frc.Routes(r)
	con.Routes(r)
	fb.Routes(r)
	dd.Routes(r)
	dd.PageRoutes(r)
	aud.Routes(r)
	acc.Routes(r)
	return &app{srv: srv, runner: runner, alerts: ale, opts: opts}
}

// newServer returns the HTTP server of newApp (tests that need no
// background work).
func newServer(db *store.DB, opts serverOptions) *web.Server { return newApp(db, opts).srv }
