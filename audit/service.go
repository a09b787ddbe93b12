package audit

import (
	"context"
	"encoding/hex"
	"slices"

	"github.com/peaceops/peaceops"
	"github.com/peaceops/peaceops/access"
	"github.com/peaceops/peaceops/store"
)

// pageSize is how many entries Verify reads per query, each page in its own
// short read transaction: memory stays flat however long the log is, and no
// read transaction is held open across the whole walk (which on SQLite
// would keep the WAL from being checkpointed).
const pageSize = 5000

// Service verifies and queries the audit log. It is safe for concurrent use.
type Service struct {
	db *store.DB
}

// NewService returns a Service reading db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Verify walks the whole audit log in sequence order and checks that
// sequence numbers start at 1 and increase by exactly 1, that each entry's
// prev_hash is the hash of the entry before it (the genesis hash for the
// first) and that each entry's hash matches its content. A broken chain is
// not an error: it is reported in Report.FirstBad, and the walk stops there.
// Entries appended while Verify runs may or may not be included.
//
// Verify is allowed to the system actor and to global administrators; for
// anyone else it returns EUNAUTHORIZED or EFORBIDDEN.
func (s *Service) Verify(ctx context.Context) (Report, error) {
	if err := canRead(peaceops.ActorFromContext(ctx), ""); err != nil {
		return Report{}, err
	}
	return s.verify(ctx, &walker{})
}

// VerifyAgainst does what Verify does and also checks that the head
// recorded earlier outside the database (the entry seq with hash, as found
// in Report.LastSeq and Report.LastHash) is still part of the chain. This
// detects what the chain alone cannot: entries deleted from the end, and a
// tail rewritten with recomputed hashes.
//
// It returns EINVALID when seq < 1 or hash is not 64 hex digits, and the
// access errors of Verify.
func (s *Service) VerifyAgainst(ctx context.Context, seq int64, hash string) (Report, error) {
	if err := canRead(peaceops.ActorFromContext(ctx), ""); err != nil {
		return Report{}, err
	}
	var errs []peaceops.FieldError
	if seq < 1 {
		errs = append(errs, peaceops.FieldError{Field: "seq", Message: "must be 1 or more"})
	}
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		errs = append(errs, peaceops.FieldError{Field: "hash", Message: "must be 64 hexadecimal digits"})
	}
	if err := peaceops.Invalid(errs); err != nil {
		return Report{}, err
	}
	return s.verify(ctx, &walker{want: &head{seq: seq, hash: hash}})
}

func (s *Service) verify(ctx context.Context, w *walker) (Report, error) {
	after := int64(0)
	for {
		n, more := 0, true
		err := s.db.View(ctx, func(tx *store.Tx) error {
			return readPage(ctx, tx, after, pageSize, func(e store.AuditEntry) bool {
				n++
				after = e.Seq
				more = w.step(e)
				return more
			})
		})
		if err != nil {
			return Report{}, err
		}
		if !more || n < pageSize {
			break
		}
	}
	w.finish()
	return w.report, nil
}

// FindEntries returns the entries matching f, newest first, and the cursor
// of the next page ("" when this page is the last).
//
// Global administrators and the system actor see every entry. A
// mission-admin sees only the entries of the missions they administer: with
// f.Mission empty the result is restricted to those; naming another mission
// the caller is a member of returns EFORBIDDEN, one they are not a member of
// ENOTFOUND. Anyone else gets EUNAUTHORIZED (no identity) or EFORBIDDEN.
// An invalid filter returns EINVALID.
func (s *Service) FindEntries(ctx context.Context, f Filter) ([]store.AuditEntry, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	missions, err := scope(peaceops.ActorFromContext(ctx), f.Mission)
	if err != nil {
		return nil, "", err
	}
	// Entries about need-to-know records (misconduct cases, victims,
	// CAAFAG records) are not shown even to administrators: that such a
	// record exists, and who touched it when, is itself need-to-know. The
	// chain still covers them: verify reads every entry.
	var hidden []string
	if !peaceops.ActorFromContext(ctx).System {
		hidden = access.NeedToKnowTypes()
	}
	var entries []store.AuditEntry
	err = s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		entries, err = findEntries(ctx, tx, f, missions, hidden)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(entries) > f.limit() {
		entries = entries[:f.limit()]
		next = formatCursor(entries[len(entries)-1].Seq)
	}
	return entries, next, nil
}

// scope returns the missions whose entries the actor may read when asking
// for mission ("" = all): nil means no restriction.
func scope(actor peaceops.Actor, mission string) ([]string, error) {
	if err := canRead(actor, mission); err == nil {
		if mission == "" {
			return nil, nil
		}
		return []string{mission}, nil
	} else if mission != "" || actor.Anonymous() {
		return nil, err
	}
	var missions []string
	for _, m := range actor.Missions() {
		if canRead(actor, m) == nil {
			missions = append(missions, m)
		}
	}
	if len(missions) == 0 {
		return nil, peaceops.Errorf(peaceops.EFORBIDDEN, "reading the audit log needs the admin or mission-admin role")
	}
	slices.Sort(missions)
	return missions, nil
}

// canRead is the access rule for the audit log, decided by the one policy:
// the system actor and global administrators read every entry, a
// mission-admin the entries of their mission. mission "" stands for the
// whole log, including global entries, which no mission role grants.
func canRead(actor peaceops.Actor, mission string) error {
	err := access.Check(actor, access.ActionRead, access.Resource{Type: "audit", Mission: mission, Classification: peaceops.Confidential})
	if peaceops.ErrorCode(err) != peaceops.ENOTFOUND {
		return err
	}
	switch {
	case mission == "":
		return peaceops.Errorf(peaceops.EFORBIDDEN, "reading the whole audit log needs the admin role")
	case len(actor.Roles[mission]) > 0:
		// Members know their mission exists: refuse rather than hide.
		return peaceops.Errorf(peaceops.EFORBIDDEN, "reading the audit log of %s needs the mission-admin role", mission)
	}
	return peaceops.Errorf(peaceops.ENOTFOUND, "mission %s not found", mission)
}
