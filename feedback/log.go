package feedback

import (
	"context"
	"log/slog"
	"strings"
)

// PrivateLogHandler returns a handler that passes records to next, except
// that the access log line of a public feedback route (the web kernel's
// "request" record whose route is one of this package's public patterns)
// loses its "ip" attribute: the address of someone sending feedback is
// never written anywhere. Officers' routes keep it like every other route.
// cmd/peaceops wraps the server's logger with it.
func PrivateLogHandler(next slog.Handler) slog.Handler { return privateHandler{next} }

type privateHandler struct{ next slog.Handler }

func (h privateHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h privateHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != "request" {
		return h.next.Handle(ctx, r)
	}
	private := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "route" {
			private = isPublicRoute(a.Value.String())
			return false
		}
		return true
	})
	if !private {
		return h.next.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "ip" {
			out.AddAttrs(a)
		}
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h privateHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return privateHandler{h.next.WithAttrs(attrs)}
}

func (h privateHandler) WithGroup(name string) slog.Handler {
	return privateHandler{h.next.WithGroup(name)}
}

// isPublicRoute reports whether pattern is one of the routes the public
// uses (intake, tracking, the SMS webhook).
func isPublicRoute(pattern string) bool {
	for _, p := range publicPatterns {
		if p == pattern {
			return true
		}
	}
	return strings.HasPrefix(pattern, "GET /feedback/") || strings.HasPrefix(pattern, "POST /feedback/")
}
