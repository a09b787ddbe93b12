package web_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
	"github.com/peaceops/peaceops/web"
)

type note struct {
	Text string `json:"text"`
}

type created struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

// notes is a create endpoint that counts its executions. gate, when set,
// is waited on after the handler has started (signalled on started).
type notes struct {
	calls   atomic.Int64
	started chan struct{}
	gate    chan struct{}
}

func (n *notes) register(r *web.Router) {
	r.API("POST /api/v1/notes", web.Op{Request: note{}, Response: created{}, Status: 201, Idempotent: true}, func(w http.ResponseWriter, r *http.Request) error {
		var in note
		if err := web.Decode(r, &in); err != nil {
			return err
		}
		if in.Text == "fail" {
			return peaceops.Errorf(peaceops.EINVALID, "text: fail")
		}
		id := int(n.calls.Add(1))
		if n.started != nil {
			n.started <- struct{}{}
			<-n.gate
		}
		w.Header().Set("Location", "/api/v1/notes/"+strconv.Itoa(id))
		http.SetCookie(w, &http.Cookie{Name: "should-not-replay", Value: "x"})
		return web.JSON(w, http.StatusCreated, created{ID: id, Text: in.Text})
	})
}

func postNote(key, text string, as func(*http.Request)) *http.Request {
	return req("POST", "/api/v1/notes", `{"text":"`+text+`"}`, as, withHeader(web.IdempotencyKeyHeader, key))
}

func TestIdempotencyKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		n := &notes{}
		f := newFixture(t, db, n.register)

		first := f.do(postNote("key-1", "hello", asBob))
		wantStatus(t, first, 201)
		if first.Header().Get("Idempotent-Replayed") != "" {
			t.Error("first response marked as replayed")
		}

		t.Run("ReplaySameRequest", func(t *testing.T) {
			again := f.do(postNote("key-1", "hello", asBob))
			wantStatus(t, again, 201)
			if again.Header().Get("Idempotent-Replayed") != "true" {
				t.Error("replay lacks Idempotent-Replayed: true")
			}
			if again.Body.String() != first.Body.String() || again.Header().Get("Location") != first.Header().Get("Location") {
				t.Errorf("replay = %s %v, want %s", again.Body, again.Header(), first.Body)
			}
			if again.Header().Get("Set-Cookie") != "" {
				t.Error("cookies were replayed")
			}
			if got := n.calls.Load(); got != 1 {
				t.Errorf("handler ran %d times, want 1", got)
			}
		})
		t.Run("ErrSameKeyDifferentRequest", func(t *testing.T) {
			w := f.do(postNote("key-1", "something else", asBob))
			wantStatus(t, w, 409)
			problemOf(t, w)
		})
		t.Run("KeysArePerActor", func(t *testing.T) {
			w := f.do(postNote("key-1", "hello", asAlice))
			wantStatus(t, w, 201)
			if w.Header().Get("Idempotent-Replayed") != "" {
				t.Error("alice got bob's response")
			}
		})
		t.Run("FailuresAreNotKept", func(t *testing.T) {
			w := f.do(postNote("key-2", "fail", asBob))
			wantStatus(t, w, 400)
			w = f.do(postNote("key-2", "fail", asBob))
			wantStatus(t, w, 400)
			if w.Header().Get("Idempotent-Replayed") != "" {
				t.Error("a failure was replayed")
			}
			// The key is free again for a corrected request.
			w = f.do(postNote("key-2", "fixed", asBob))
			wantStatus(t, w, 201)
		})
		t.Run("NoKeyNoIdempotency", func(t *testing.T) {
			before := n.calls.Load()
			f.do(req("POST", "/api/v1/notes", `{"text":"a"}`, asBob))
			f.do(req("POST", "/api/v1/notes", `{"text":"a"}`, asBob))
			if got := n.calls.Load() - before; got != 2 {
				t.Errorf("handler ran %d times, want 2", got)
			}
		})
		t.Run("ErrKeyNotPrintable", func(t *testing.T) {
			w := f.do(postNote("has space", "x", asBob))
			wantStatus(t, w, 400)
			if p := problemOf(t, w); len(p.Errors) != 1 || p.Errors[0].Field != web.IdempotencyKeyHeader {
				t.Errorf("errors = %+v", p.Errors)
			}
		})
	})
}

func TestIdempotencyKeyInProgress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		n := &notes{started: make(chan struct{}), gate: make(chan struct{})}
		f := newFixture(t, db, n.register)

		done := make(chan *httptest.ResponseRecorder)
		go func() { done <- f.do(postNote("slow", "hello", asBob)) }()
		<-n.started // the first request is inside the handler

		w := f.do(postNote("slow", "hello", asBob))
		wantStatus(t, w, 409)
		if p := problemOf(t, w); p.Code != peaceops.ECONFLICT {
			t.Errorf("code = %q", p.Code)
		}

		close(n.gate)
		wantStatus(t, <-done, 201)
		again := f.do(postNote("slow", "hello", asBob))
		wantStatus(t, again, 201)
		if again.Header().Get("Idempotent-Replayed") != "true" {
			t.Error("not replayed after completion")
		}
		if got := n.calls.Load(); got != 1 {
			t.Errorf("handler ran %d times, want 1", got)
		}
	})
}

func TestIdempotencyKeyConcurrentDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		n := &notes{}
		f := newFixture(t, db, n.register)
		const clients = 8
		var wg sync.WaitGroup
		codes := make([]int, clients)
		start := make(chan struct{})
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = f.do(postNote("burst", "same", asBob)).Code
			}()
		}
		close(start)
		wg.Wait()
		if got := n.calls.Load(); got != 1 {
			t.Errorf("handler ran %d times for %d duplicates, want 1", got, clients)
		}
		for _, c := range codes {
			if c != 201 && c != 409 {
				t.Errorf("status %d, want 201 (first or replay) or 409 (in progress)", c)
			}
		}
	})
}
