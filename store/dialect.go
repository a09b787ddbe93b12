package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// The dialect seam: the few SQL fragments that differ between SQLite and
// PostgreSQL. Modules build their queries from one text and call these for
// spatial and full-text conditions, never `if sqlite` of their own.
//
// A table searchable by place follows one convention on both engines:
// nullable columns lon and lat (WGS84). On SQLite an R*Tree virtual table
// <table>_rtree(id, min_lon, max_lon, min_lat, max_lat) holds the points,
// its id the table's INTEGER PRIMARY KEY column seq (a rowid alias: plain
// rowids may be renumbered by VACUUM), kept up to date by triggers on
// update and delete and by IndexNewRows after inserts. On
// PostgreSQL a PostGIS column geom geometry(Point,4326), generated from
// lon and lat, carries a GiST index.
//
// A table searchable by text has, on SQLite, an FTS5 external-content
// table <table>_fts over its text columns (content_rowid seq, tokenizer
// unicode61 with diacritics removed) kept the same way; on PostgreSQL a
// generated tsvector column search (text configuration 'simple' over the
// columns lowered and folded with FoldFrom/FoldTo) with a GIN index. Both
// match words as prefixes, ignoring case and the diacritics of Latin
// letters, so "ndele" finds "Ndélé" on either engine.

// PointInBox returns a condition, for the row of table aliased alias, that
// its point lies in the box whose edges (included) are the placeholders
// minLon, minLat, maxLon, maxLat (e.g. "$3"). Rows without a point never
// match.
func (d Dialect) PointInBox(table, alias, minLon, minLat, maxLon, maxLat string) string {
	exact := alias + ".lon BETWEEN " + minLon + " AND " + maxLon + " AND " + alias + ".lat BETWEEN " + minLat + " AND " + maxLat
	if d == Postgres {
		return alias + ".geom && ST_MakeEnvelope(" + minLon + ", " + minLat + ", " + maxLon + ", " + maxLat + ", 4326) AND " + exact
	}
	// The R*Tree stores 32-bit floats rounded outwards: it finds a superset,
	// which the exact comparison trims.
	return alias + ".seq IN (SELECT id FROM " + table + "_rtree WHERE min_lon <= " + maxLon + " AND max_lon >= " + minLon +
		" AND min_lat <= " + maxLat + " AND max_lat >= " + minLat + ") AND " + exact
}

// PointInBoxDuring is PointInBox for a table whose R*Tree also holds the
// day span of each row (min_day, max_day: start and end in days since
// 1970-01-01): on SQLite the R*Tree then keeps only the rows whose span
// meets [fromDay, toDay], passed as placeholders made by add. The caller
// still states the exact time condition on its own columns. On PostgreSQL
// it is PointInBox (add is not called).
func (d Dialect) PointInBoxDuring(table, alias, minLon, minLat, maxLon, maxLat string, fromDay, toDay float64, add func(any) string) string {
	if d == Postgres {
		return d.PointInBox(table, alias, minLon, minLat, maxLon, maxLat)
	}
	exact := alias + ".lon BETWEEN " + minLon + " AND " + maxLon + " AND " + alias + ".lat BETWEEN " + minLat + " AND " + maxLat
	return alias + ".seq IN (SELECT id FROM " + table + "_rtree WHERE min_lon <= " + maxLon + " AND max_lon >= " + minLon +
		" AND min_lat <= " + maxLat + " AND max_lat >= " + minLat + " AND max_day >= " + add(fromDay) + " AND min_day <= " + add(toDay) + ") AND " + exact
}

// TextMatch returns a condition, for the row of table aliased alias, that
// it matches the full-text query in placeholder param, whose value is made
// by TextQuery.
func (d Dialect) TextMatch(table, alias, param string) string {
	if d == Postgres {
		return alias + ".search @@ to_tsquery('simple', " + param + ")"
	}
	return alias + ".seq IN (SELECT rowid FROM " + table + "_fts WHERE " + table + "_fts MATCH " + param + ")"
}

// TextQuery returns the engine's query text requiring every word (as made
// by SearchWords) as a prefix of some word of the row, or "" when there
// are no words. The words hold only letters and digits, so the result
// cannot carry query syntax of the caller's making.
func (d Dialect) TextQuery(words []string) string {
	if len(words) == 0 {
		return ""
	}
	parts := make([]string, len(words))
	for i, w := range words {
		if d == Postgres {
			parts[i] = w + ":*"
		} else {
			parts[i] = `"` + w + `"*`
		}
	}
	if d == Postgres {
		return strings.Join(parts, " & ")
	}
	return strings.Join(parts, " ")
}

// Limits of SearchWords.
const (
	maxSearchWords   = 16
	maxSearchWordLen = 64
)

// SearchWords splits q into search words: runs of letters and digits,
// folded with Fold. It keeps at most 16 words of at most 64 characters.
func SearchWords(q string) []string {
	fields := strings.FieldsFunc(Fold(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var out []string
	for _, f := range fields {
		if r := []rune(f); len(r) > maxSearchWordLen {
			f = string(r[:maxSearchWordLen])
		}
		out = append(out, f)
		if len(out) == maxSearchWords {
			break
		}
	}
	return out
}

// FoldFrom and FoldTo are the diacritic folding shared by Go and SQL: the
// n-th letter of FoldFrom becomes the n-th of FoldTo. PostgreSQL
// migrations use them verbatim in translate(lower(...), FoldFrom, FoldTo)
// (a test keeps the two in step); SQLite's FTS5 tokenizer folds the same
// letters by itself.
const (
	FoldFrom = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšșţťŧțùúûüũūŭůűųŵýÿŷźżž" +
		"ÀÁÂÃÄÅĀĂĄÇĆĈĊČĎĐÈÉÊËĒĔĖĘĚĜĞĠĢĤĦÌÍÎÏĨĪĬĮĴĶĹĻĽĿŁÑŃŅŇÒÓÔÕÖØŌŎŐŔŖŘŚŜŞŠȘŢŤŦȚÙÚÛÜŨŪŬŮŰŲŴÝŸŶŹŻŽ"
	FoldTo = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssssttttuuuuuuuuuuwyyyzzz" +
		"aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiijklllllnnnnooooooooorrrsssssttttuuuuuuuuuuwyyyzzz"
)

var foldMap = func() map[rune]rune {
	from, to := []rune(FoldFrom), []rune(FoldTo)
	if len(from) != len(to) {
		panic("store: FoldFrom and FoldTo differ in length")
	}
	m := make(map[rune]rune, len(from))
	for i, r := range from {
		m[r] = to[i]
	}
	return m
}()

// Fold lowers s and strips the diacritics of Latin letters, as the
// full-text indexes of both engines do: for search words and for keys
// compared with LIKE.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if f, ok := foldMap[r]; ok {
			return f
		}
		return r
	}, strings.ToLower(s))
}

// EscapeLike escapes the LIKE wildcards of s for a pattern used with
// ESCAPE '\'.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// BatchRows returns how many rows of ncols values one multi-row INSERT
// should carry, at most want. On PostgreSQL, many (within its limit of
// 65535 parameters): each statement is a round trip. On SQLite, which runs
// in process, one: a prepared single-row statement is cheap to repeat, and
// the driver binds each parameter by a lookup that grows with the number of
// parameters, so long statements cost more than they save.
func (d Dialect) BatchRows(ncols, want int) int {
	if d != Postgres || ncols <= 0 {
		return 1
	}
	return max(1, min(want, 65535/ncols))
}

// LastSeq returns the highest seq of table (0 when empty): the mark to
// give IndexNewRows after inserting rows. Call both in one transaction.
// On PostgreSQL, where IndexNewRows has nothing to do, it is 0.
func (tx *Tx) LastSeq(ctx context.Context, table string) (int64, error) {
	if tx.Dialect() != SQLite {
		return 0, nil
	}
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM `+table).Scan(&n)
	return n, err
}

// IndexOptions say which indexes of a table IndexNewRows fills.
type IndexOptions struct {
	// Span names the table's start and end columns (unix milliseconds)
	// when its R*Tree has the day dimension (min_day, max_day): see
	// PointInBoxDuring.
	Span [2]string
	// Text lists the columns of its full-text index (none: no such index).
	Text []string
}

// IndexNewRows adds the rows of table inserted since LastSeq returned
// after to its spatial index and, when o.Text is given, its full-text
// index, in one statement each. On SQLite, tables that insert in bulk
// (events) index new rows this way rather than by per-row triggers: FTS5
// flushes a segment at the start of every statement that writes it. On
// PostgreSQL the generated columns need nothing.
func (tx *Tx) IndexNewRows(ctx context.Context, table string, after int64, o IndexOptions) error {
	if tx.Dialect() != SQLite {
		return nil
	}
	cols, vals := "id, min_lon, max_lon, min_lat, max_lat", "seq, lon, lon, lat, lat"
	if o.Span[0] != "" {
		cols += ", min_day, max_day"
		vals += ", " + o.Span[0] + " / 86400000.0, " + o.Span[1] + " / 86400000.0"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+`_rtree (`+cols+`)
		SELECT `+vals+` FROM `+table+` WHERE seq > $1 AND lon IS NOT NULL AND lat IS NOT NULL`, after); err != nil {
		return fmt.Errorf("store: spatial index of %s: %w", table, err)
	}
	if len(o.Text) == 0 {
		return nil
	}
	text := strings.Join(o.Text, ", ")
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+`_fts (rowid, `+text+`) SELECT seq, `+text+` FROM `+table+` WHERE seq > $1`, after); err != nil {
		return fmt.Errorf("store: full-text index of %s: %w", table, err)
	}
	return nil
}
