// Package audit reads the hash-chained audit log that store.Tx.Audit
// appends to: it verifies the chain (Service.Verify, Service.VerifyAgainst)
// and finds entries for administrators (Service.FindEntries). Routes serves
// them as GET /api/v1/audit, GET /api/v1/audit/verify and the pages /audit
// and /missions/{code}/audit.
//
// Writing entries does not live here: every module appends through its own
// *store.Tx, inside the transaction of the change it records, so an entry
// exists if and only if the change was committed.
//
// What the chain proves, and what it does not: each entry carries the hash of
// its predecessor, so changing, deleting, inserting or reordering any entry
// breaks the chain at that point, and Verify names the first entry where it
// breaks. Deleting entries from the end leaves a shorter chain that is still
// intact, and so does rewriting the tail with recomputed hashes by someone
// who can write to the database. Both are detected only against a head
// (sequence number and hash) recorded outside the database, for example in
// the backup log after each backup: VerifyAgainst checks that a recorded
// head is still part of the chain.
package audit
