package feedback

import (
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/web"
)

// Pages returns the service's page set (the catalogue test).
func (s *Service) Pages() *web.Pages { return s.pages }

// TrackingHash is what the database keeps of a tracking code.
var TrackingHash = trackingHash

// ParsedSMS is parseSMS's result, for tests.
type ParsedSMS = parsedSMS

// ParseSMS reads a text message by the channel's convention.
func ParseSMS(m SMS, today peaceops.Date) (ParsedSMS, error) { return parseSMS(m, today) }

// NormalizePhone is normalizePhone.
var NormalizePhone = normalizePhone

// Limiter exposes the abuse limiter.
type Limiter struct{ l *limiter }

// NewLimiter returns a limiter of max per window on the clock now.
func NewLimiter(max int, window time.Duration, now func() time.Time) Limiter {
	return Limiter{newLimiter(max, window, now)}
}

func (l Limiter) Allow(key string) bool { return l.l.allow(key) }
func (l Limiter) Buckets() int          { return l.l.buckets() }
