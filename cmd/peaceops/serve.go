package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/peaceops/peaceops/store"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", "[--addr HOST:PORT] [--db FILE|URL]")
	dsn := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure and send HSTS (serving over TLS or behind a TLS proxy)")
	proxy := fs.Bool("trust-proxy", false, "take the client address from X-Forwarded-For (only behind a reverse proxy)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	logger, err := newLogger(env, *logLevel)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, env, db, *addr, serverOptions{SecureCookies: *secure, TrustProxy: *proxy, Logger: logger})
}

// serve runs the HTTP server on db until ctx is cancelled, printing the
// address it listens on (tests and the demo read that line).
func serve(ctx context.Context, env *Env, db *store.DB, addr string, opts serverOptions) error {
	srv := newServer(db, opts)
	return srv.ListenAndServe(ctx, addr, func(a net.Addr) {
		fmt.Fprintf(env.Stdout, "peaceops %s listening on http://%s (%s database)\n", version, a, db.Dialect())
		opts.Logger.Info("listening", "addr", a.String(), "db", string(db.Dialect()))
	})
}

func newLogger(env *Env, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	var w = env.Stderr
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}
