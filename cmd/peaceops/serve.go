package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/sealed"
	"github.com/peaceops/peaceops/store"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", "[--addr HOST:PORT] [--db FILE|URL]")
	dsn := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure and send HSTS (serving over TLS or behind a TLS proxy)")
	proxy := fs.Bool("trust-proxy", false, "take the client address from X-Forwarded-For (only behind a reverse proxy)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	alertsEvery := fs.Duration("alerts-every", 24*time.Hour, "how often early warning runs for every mission (0: never)")
	baseURL := fs.String("base-url", "", "public address of the server, for links in notification mails")
	smtpHost := fs.String("smtp-host", "", "SMTP server for alert mails (none: in-app notifications only); the password is read from PEACEOPS_SMTP_PASSWORD")
	smtpPort := fs.Int("smtp-port", 587, "SMTP port (465: TLS from the start)")
	smtpFrom := fs.String("smtp-from", "", "sender address of alert mails")
	smtpUser := fs.String("smtp-user", "", "SMTP user name")
	keyFile := fs.String("data-key-file", "", "file holding the data keys that encrypt victim identities and reply numbers (else PEACEOPS_DATA_KEY holds them; see OPERATIONS.md)")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	keys, err := dataKeys(env, *keyFile)
	if err != nil {
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
	opts := serverOptions{SecureCookies: *secure, TrustProxy: *proxy, Logger: logger, AlertsEvery: *alertsEvery, BaseURL: *baseURL, DataKeys: keys,
		// A secret: read from the environment only, never a flag.
		FeedbackSMSToken: env.Getenv("PEACEOPS_FEEDBACK_SMS_TOKEN")}
	if *smtpHost != "" {
		opts.SMTP = &alerts.SMTPConfig{Host: *smtpHost, Port: *smtpPort, From: *smtpFrom, Username: *smtpUser,
			Password: env.Getenv("PEACEOPS_SMTP_PASSWORD")}
	}
	return serve(ctx, env, db, *addr, opts)
}

// serve runs the HTTP server on db until ctx is cancelled, printing the
// address it listens on (tests and the demo read that line).
func serve(ctx context.Context, env *Env, db *store.DB, addr string, opts serverOptions) error {
	a := newApp(db, opts)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var background sync.WaitGroup
	background.Add(1)
	go func() { defer background.Done(); a.runner.Start(ctx) }()
	if opts.AlertsEvery > 0 {
		background.Add(1)
		go func() { defer background.Done(); a.alerts.Schedule(ctx, opts.AlertsEvery) }()
	}
	err := a.srv.ListenAndServe(ctx, addr, func(ad net.Addr) {
		fmt.Fprintf(env.Stdout, "peaceops %s listening on http://%s (%s database)\n", version, ad, db.Dialect())
		if opts.Landing != "" {
			fmt.Fprintf(env.Stdout, "Open http://%s/login?next=%s in a browser.\n", ad, url.QueryEscape(opts.Landing))
		}
		opts.Logger.Info("listening", "addr", ad.String(), "db", string(db.Dialect()))
	})
	stop()
	background.Wait()
	return err
}

// dataKeys reads the keyring from keyFile, else from PEACEOPS_DATA_KEY.
// Without either the server runs, and the fields that need a key refuse
// to be written (never stored in clear).
func dataKeys(env *Env, keyFile string) (*sealed.Keyring, error) {
	text := env.Getenv("PEACEOPS_DATA_KEY")
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("--data-key-file: %w", err)
		}
		text = string(b)
	}
	if text == "" {
		return nil, nil
	}
	k, err := sealed.ParseKeys(text)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	return k, nil
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
