package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/peaceops/peaceops"
)

// Change describes one audited action. Before and After are the record as
// it was and as it is (nil for a create's Before or a delete's After; both
// nil for a read). Fields of Before/After tagged `audit:"secret"` are never
// written: the entry shows only whether they changed.
type Change struct {
	Mission    string // mission code, "" for global records
	EntityType string // e.g. "mission", "user", "event"
	EntityID   string
	Action     string // e.g. "create", "update", "delete", "read", "login"
	Before     any
	After      any
}

// AuditEntry is one row of the hash-chained audit log.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	ID         string          `json:"id"`
	At         int64           `json:"at"`
	ActorID    string          `json:"actor_id"`
	Actor      string          `json:"actor"`
	Mission    string          `json:"mission"`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Action     string          `json:"action"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// ComputeHash returns the hex SHA-256 over the entry's previous hash and its
// content in a fixed order. Changing any stored field, deleting a row or
// reordering rows breaks the chain at that point.
func (e AuditEntry) ComputeHash() string {
	content := struct {
		Seq        int64  `json:"seq"`
		ID         string `json:"id"`
		At         int64  `json:"at"`
		ActorID    string `json:"actor_id"`
		Actor      string `json:"actor"`
		Mission    string `json:"mission"`
		EntityType string `json:"entity_type"`
		EntityID   string `json:"entity_id"`
		Action     string `json:"action"`
		Before     string `json:"before"`
		After      string `json:"after"`
		PrevHash   string `json:"prev_hash"`
	}{e.Seq, e.ID, e.At, e.ActorID, e.Actor, e.Mission, e.EntityType, e.EntityID, e.Action, string(e.Before), string(e.After), e.PrevHash}
	b, _ := json.Marshal(content)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// GenesisHash is the previous hash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditLockKey is the PostgreSQL advisory lock serialising appends to the
// chain across connections and servers; SQLite has one writer already.
const auditLockKey = 7_402_117_331

// Audit appends c to the audit log within tx. It fails on a read-only
// transaction.
func (tx *Tx) Audit(ctx context.Context, c Change) error {
	if tx.readOnly {
		return errors.New("store: audit append in a read-only transaction")
	}
	if tx.db.dialect == Postgres && !tx.locked {
		if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLockKey)); err != nil {
			return fmt.Errorf("store: lock audit chain: %w", err)
		}
		tx.locked = true
	}
	before, after, err := redactedPair(c.Before, c.After)
	if err != nil {
		return fmt.Errorf("store: audit %s %s: %w", c.EntityType, c.Action, err)
	}
	e := AuditEntry{
		ID: peaceops.NewIDAt(tx.Now), At: tx.NowMillis(),
		ActorID: tx.Actor.UserID, Actor: tx.Actor.Name(), Mission: c.Mission,
		EntityType: c.EntityType, EntityID: c.EntityID, Action: c.Action,
		Before: before, After: after,
	}
	var last sql.NullInt64
	var prev sql.NullString
	err = tx.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.Seq, e.PrevHash = 1, GenesisHash
	case err != nil:
		return fmt.Errorf("store: read audit head: %w", err)
	default:
		e.Seq, e.PrevHash = last.Int64+1, prev.String
	}
	e.Hash = e.ComputeHash()
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO audit_log
		(seq, id, at, actor_id, actor, mission, entity_type, entity_id, action, before, after, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.ID, e.At, e.ActorID, e.Actor, e.Mission, e.EntityType, e.EntityID, e.Action,
		string(e.Before), string(e.After), e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("store: append audit entry: %w", err)
	}
	return nil
}

// redactedPair marshals before and after, replacing the values of fields
// tagged `audit:"secret"` with a marker that says only whether they changed.
func redactedPair(before, after any) (json.RawMessage, json.RawMessage, error) {
	secrets := secretFields(before)
	for k := range secretFields(after) {
		secrets[k] = true
	}
	b, err := toMap(before)
	if err != nil {
		return nil, nil, err
	}
	a, err := toMap(after)
	if err != nil {
		return nil, nil, err
	}
	for name := range secrets {
		bv, bok := b.fields[name]
		av, aok := a.fields[name]
		marker := "[redacted]"
		if bok && aok && string(bv) != string(av) {
			marker = "[redacted: changed]"
		}
		m, _ := json.Marshal(marker)
		if bok {
			b.fields[name] = m
		}
		if aok {
			a.fields[name] = m
		}
	}
	return b.encode(), a.encode(), nil
}

type jsonObject struct {
	fields map[string]json.RawMessage
	raw    json.RawMessage // non-object values are kept as they are
}

func toMap(v any) (jsonObject, error) {
	if v == nil {
		return jsonObject{}, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return jsonObject{}, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return jsonObject{raw: raw}, nil
	}
	return jsonObject{fields: m}, nil
}

func (o jsonObject) encode() json.RawMessage {
	if o.fields == nil {
		if o.raw == nil {
			return json.RawMessage("null")
		}
		return o.raw
	}
	b, _ := json.Marshal(o.fields) // map keys marshal sorted: stable text
	return b
}

// secretFields returns the JSON names of v's top-level fields tagged
// `audit:"secret"`.
func secretFields(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("audit") != "secret" {
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("json"); tag != "" {
			if n, _, _ := strings.Cut(tag, ","); n != "" && n != "-" {
				name = n
			}
		}
		out[name] = true
	}
	return out
}
