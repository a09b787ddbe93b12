package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
)

// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): a client
// that may retry a POST (a field report sent over a flaky link) sends a
// unique key; the first request runs and its response is stored in
// idempotency_keys per (actor, key); a retry gets the stored response with
// Idempotent-Replayed: true instead of creating a second record.
//
// The row is claimed before the handler runs, by an insert committed in its
// own transaction: of concurrent duplicates exactly one inserts (the primary
// key decides, on both engines) and the others get 409 while it runs. Only
// successful responses are kept; after an error the claim is released so a
// retry runs again (a failed request changed nothing). Keys expire after
// IdempotencyTTL.
const (
	IdempotencyKeyHeader = "Idempotency-Key"
	IdempotencyTTL       = 24 * time.Hour
	// idempotencyClaimTTL bounds how long a claim of a request that never
	// finished (the server died) blocks retries.
	idempotencyClaimTTL = 10 * time.Minute
	maxIdempotencyKey   = 255
	// maxStoredResponse bounds the body kept for replay.
	maxStoredResponse = 4 << 20
)

// replayedHeaders are the response headers kept for a replay; cookies and
// per-request headers are not.
var replayedHeaders = []string{"Content-Type", "Location", "ETag", "Content-Disposition", "Last-Modified"}

func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, h HandlerFunc) {
	info := infoFrom(r.Context())
	key := r.Header.Get(IdempotencyKeyHeader)
	if err := validKey(key); err != nil {
		s.fail(w, r, err, info.api)
		return
	}
	if s.cfg.DB == nil {
		s.fail(w, r, errors.New("web: Idempotency-Key needs a database"), info.api)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			err = statusError(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", mb.Limit)
		}
		s.fail(w, r, err, info.api)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256([]byte(r.Method + "\x00" + r.URL.RequestURI() + "\x00" + r.Header.Get("Content-Type") + "\x00" + string(body)))
	k := idemKey{actor: info.actor.UserID, key: key, method: r.Method, path: r.URL.Path, hash: hex.EncodeToString(sum[:])}

	stored, err := s.claim(r.Context(), k)
	if err != nil {
		s.fail(w, r, err, info.api)
		return
	}
	if stored != nil {
		stored.replay(w)
		return
	}

	// From here the claim must be settled whatever happens, even if the
	// client goes away: a stuck claim would block its retries.
	ctx := context.WithoutCancel(r.Context())
	rec := &teeWriter{ResponseWriter: w}
	settled := false
	defer func() {
		if !settled {
			s.release(ctx, k)
		}
	}()
	if err := h(rec, r); err != nil {
		s.release(ctx, k)
		settled = true
		s.fail(w, r, err, info.api)
		return
	}
	settled = true
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 400 || rec.overflow {
		s.release(ctx, k)
		return
	}
	if err := s.store(ctx, k, rec); err != nil {
		s.log.Error("store idempotent response", "request_id", info.id, "error", err.Error())
	}
}

func validKey(key string) error {
	if len(key) > maxIdempotencyKey {
		return fieldError(IdempotencyKeyHeader, fmt.Sprintf("must be at most %d characters", maxIdempotencyKey))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return fieldError(IdempotencyKeyHeader, "must be printable ASCII without spaces, e.g. a UUID")
		}
	}
	return nil
}

type idemKey struct {
	actor, key, method, path, hash string
}

type storedResponse struct {
	status  int
	headers http.Header
	body    []byte
}

func (sr *storedResponse) replay(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range sr.headers {
		h[k] = v
	}
	h.Set("Idempotent-Replayed", "true")
	w.WriteHeader(sr.status)
	w.Write(sr.body)
}

// claim inserts the in-progress row for k, or returns the stored response
// of an earlier identical request. ECONFLICT when the key is in progress or
// was used for a different request.
func (s *Server) claim(ctx context.Context, k idemKey) (*storedResponse, error) {
	var out *storedResponse
	err := s.cfg.DB.Update(ctx, func(tx *store.Tx) error {
		now := tx.NowMillis()
		s.purgeExpired(ctx, tx)
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys
			WHERE actor_id = $1 AND key = $2 AND (created_at < $3 OR (status = 0 AND created_at < $4))`,
			k.actor, k.key, now-IdempotencyTTL.Milliseconds(), now-idempotencyClaimTTL.Milliseconds())
		if err != nil {
			return fmt.Errorf("web: expire idempotency key: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys
			(actor_id, key, method, path, request_hash, status, headers, body, created_at)
			VALUES ($1, $2, $3, $4, $5, 0, '{}', $6, $7)
			ON CONFLICT (actor_id, key) DO NOTHING`,
			k.actor, k.key, k.method, k.path, k.hash, []byte{}, now)
		if err != nil {
			return fmt.Errorf("web: claim idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var hash, headers string
		var status int
		var body []byte
		err = tx.QueryRowContext(ctx, `SELECT request_hash, status, headers, body FROM idempotency_keys
			WHERE actor_id = $1 AND key = $2`, k.actor, k.key).Scan(&hash, &status, &headers, &body)
		if errors.Is(err, sql.ErrNoRows) {
			return peaceops.Errorf(peaceops.ECONFLICT, "a request with this Idempotency-Key is in progress: retry shortly")
		} else if err != nil {
			return fmt.Errorf("web: read idempotency key: %w", err)
		}
		switch {
		case hash != k.hash:
			return peaceops.Errorf(peaceops.ECONFLICT, "this Idempotency-Key was already used for a different request: use a new key for each request")
		case status == 0:
			return peaceops.Errorf(peaceops.ECONFLICT, "a request with this Idempotency-Key is in progress: retry shortly")
		}
		out = &storedResponse{status: status, headers: http.Header{}, body: body}
		if err := json.Unmarshal([]byte(headers), &out.headers); err != nil {
			return fmt.Errorf("web: stored idempotent headers: %w", err)
		}
		return nil
	})
	return out, err
}

// purgeExpired deletes expired keys of every actor, at most once a minute.
func (s *Server) purgeExpired(ctx context.Context, tx *store.Tx) {
	now := tx.NowMillis()
	last := s.lastPurge.Load()
	if now-last < time.Minute.Milliseconds() || !s.lastPurge.CompareAndSwap(last, now) {
		return
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, now-IdempotencyTTL.Milliseconds()); err != nil {
		s.log.Warn("purge idempotency keys", "error", err.Error())
	}
}

func (s *Server) store(ctx context.Context, k idemKey, rec *teeWriter) error {
	kept := http.Header{}
	for _, name := range replayedHeaders {
		if v := rec.Header().Values(name); len(v) > 0 {
			kept[name] = v
		}
	}
	headers, _ := json.Marshal(kept)
	return s.cfg.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, headers = $2, body = $3
			WHERE actor_id = $4 AND key = $5`, rec.status, string(headers), rec.body.Bytes(), k.actor, k.key)
		return err
	})
}

func (s *Server) release(ctx context.Context, k idemKey) {
	err := s.cfg.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE actor_id = $1 AND key = $2 AND status = 0`, k.actor, k.key)
		return err
	})
	if err != nil {
		s.log.Error("release idempotency key", "error", err.Error())
	}
}

// teeWriter passes the response through and keeps a copy for replay.
type teeWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.body.Len()+len(b) > maxStoredResponse {
		w.overflow = true
	} else {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
func (w *teeWriter) started() bool               { return w.status != 0 }
