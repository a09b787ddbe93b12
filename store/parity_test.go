package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// engineOnly lists the tables and columns that exist on one engine only,
// each for a stated reason: the dialect seam (spatial and full-text
// indexes) and the migration tool's own bookkeeping.
var engineOnly = map[store.Dialect]map[string]bool{
	store.SQLite: {
		// The INTEGER PRIMARY KEY keying events_rtree and events_fts: a
		// plain rowid may be renumbered by VACUUM.
		"events.seq": true,
	},
	store.Postgres: {
		// PostGIS point generated from lon/lat (GiST index) and tsvector
		// generated from the text columns (GIN index): the dialect seam.
		"events.geom":   true,
		"events.search": true,
		// PostGIS's own catalogue, present when the extension was created
		// in the migrated schema rather than in public.
		"spatial_ref_sys":   true,
		"geometry_columns":  true,
		"geography_columns": true,
	},
}

// columns returns "table.column" for every column of every table.
func columns(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := db.View(ctx, func(tx *store.Tx) error {
		var q string
		switch db.Dialect() {
		case store.SQLite:
			q = `SELECT m.name || '.' || p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p
				WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '%_fts%' AND m.name NOT LIKE '%_rtree%'`
		default:
			q = `SELECT table_name || '.' || column_name FROM information_schema.columns
				WHERE table_schema = current_schema()`
		}
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			table, _, _ := strings.Cut(c, ".")
			if engineOnly[db.Dialect()][c] || engineOnly[db.Dialect()][table] || table == "goose_db_version" {
				continue
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestSchemaParity proves both dialects' migrations create the same tables
// and columns, so every module's SQL runs on both.
func TestSchemaParity(t *testing.T) {
	engines := storetest.Engines()
	if len(engines) < 2 {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	lite := columns(t, storetest.Open(t, store.SQLite))
	pg := columns(t, storetest.Open(t, store.Postgres))
	if len(lite) < 20 {
		t.Fatalf("only %d columns found on SQLite", len(lite))
	}
	for _, c := range lite {
		if _, found := slices.BinarySearch(pg, c); !found {
			t.Errorf("%s exists on SQLite but not on PostgreSQL", c)
		}
	}
	for _, c := range pg {
		if _, found := slices.BinarySearch(lite, c); !found {
			t.Errorf("%s exists on PostgreSQL but not on SQLite", c)
		}
	}
}
