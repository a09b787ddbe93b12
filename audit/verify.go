package audit

import (
	"fmt"

	"github.com/peaceops/peaceops/store"
)

// head is a head recorded outside the database: an entry that must still
// be in the chain with this hash.
type head struct {
	seq  int64
	hash string
}

// walker checks entries one by one in ascending seq order and stops at the
// first problem.
type walker struct {
	report Report
	want   *head // optional
}

// step checks e against the entries before it and reports whether the
// chain is still intact.
func (w *walker) step(e store.AuditEntry) bool {
	if p := w.check(e); p != nil {
		w.report.FirstBad = p
		return false
	}
	w.report.Entries++
	w.report.LastSeq, w.report.LastHash = e.Seq, e.Hash
	return true
}

func (w *walker) check(e store.AuditEntry) *Problem {
	bad := func(format string, args ...any) *Problem {
		return &Problem{Seq: e.Seq, ID: e.ID, Reason: fmt.Sprintf(format, args...)}
	}
	expected := w.report.LastSeq + 1
	switch {
	case e.Seq == expected+1:
		return bad("sequence gap: expected %d, found %d (entry %d was deleted or renumbered)", expected, e.Seq, expected)
	case e.Seq > expected:
		return bad("sequence gap: expected %d, found %d (entries %d to %d were deleted or renumbered)", expected, e.Seq, expected, e.Seq-1)
	case e.Seq < expected:
		// seq is the primary key and rows are read in order: this is a
		// store that does not keep that promise, not tampering.
		return bad("sequence out of order: expected %d, found %d", expected, e.Seq)
	}

	prev, prevName := store.GenesisHash, "the genesis hash"
	if w.report.LastSeq > 0 {
		prev, prevName = w.report.LastHash, fmt.Sprintf("entry %d", w.report.LastSeq)
	}
	hashOK, linkOK := e.ComputeHash() == e.Hash, e.PrevHash == prev
	switch {
	case !hashOK && !linkOK:
		return bad("hash mismatch and prev_hash does not match %s: row was changed, replaced or moved (rows reordered)", prevName)
	case !hashOK:
		return bad("hash mismatch: row content was changed")
	case !linkOK && w.report.LastSeq == 0:
		return bad("prev_hash is not the genesis hash: the log was rebuilt or entries before it were removed")
	case !linkOK:
		return bad("prev_hash does not match entry %d: entry %d was changed and re-hashed, or this entry was forged", w.report.LastSeq, w.report.LastSeq)
	}

	if w.want != nil && e.Seq == w.want.seq && e.Hash != w.want.hash {
		return bad("hash differs from the recorded head (entry %d, hash %s): the log was rewritten from this entry or earlier", w.want.seq, w.want.hash)
	}
	return nil
}

// finish checks, once every entry was read intact, that the recorded head
// was reached.
func (w *walker) finish() {
	if w.report.FirstBad != nil || w.want == nil || w.want.seq <= w.report.LastSeq {
		return
	}
	w.report.FirstBad = &Problem{
		Seq: w.want.seq,
		Reason: fmt.Sprintf("recorded head entry %d is missing: the log ends at entry %d (entries were deleted from the end)",
			w.want.seq, w.report.LastSeq),
	}
}
