package main

import (
	"context"
	"log/slog"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/audit"
	"github.com/peaceops/peaceops/missions"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/web"
)

// serverOptions are the settings of the HTTP server that flags control.
type serverOptions struct {
	SecureCookies bool
	TrustProxy    bool
	Logger        *slog.Logger
	Access        access.Options
}

// newServer builds the services over db and registers every module's
// routes: the one place where the application is assembled.
func newServer(db *store.DB, opts serverOptions) *web.Server {
	acc := access.NewService(db, opts.Access)
	mis := missions.NewService(db, acc)
	aud := audit.NewService(db)

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
	aud.Routes(r)
	acc.Routes(r)
	return srv
}
