package feedback

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// limiter counts submissions per sender in short windows without keeping
// who the sender is. A sender's key (the client address for the web and
// the API, the phone number for SMS) is hashed with a secret that exists
// only in memory and is replaced, with every count, when the window turns:
// a bucket cannot be traced back to an address, and nothing of it outlives
// two windows or reaches the database. The limit holds per server process;
// behind a load balancer each server counts its own share, which is what a
// channel meant for people with cheap phones can afford (no proof of work:
// it would cost them battery and time, not abusers).
//
// A limiter is safe for concurrent use.
type limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex // guards the fields below
	started time.Time
	secret  []byte
	counts  map[[32]byte]int
}

func newLimiter(max int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, now: now}
}

// allow counts one submission of key and reports whether it is within the
// limit. A limiter with max 0 allows everything.
func (l *limiter) allow(key string) bool {
	if l == nil || l.max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.secret == nil || now.Sub(l.started) >= l.window || now.Before(l.started) {
		l.secret = make([]byte, 32)
		rand.Read(l.secret)
		l.counts = map[[32]byte]int{}
		l.started = now
	}
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte(key))
	var bucket [32]byte
	copy(bucket[:], m.Sum(nil))
	if l.counts[bucket] >= l.max {
		return false
	}
	l.counts[bucket]++
	return true
}

// buckets returns how many buckets the current window holds (tests).
func (l *limiter) buckets() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.counts)
}
