package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/store"
)

func TestSearchWords(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"Ndélé", []string{"ndele"}},
		{"BANGUI, Ouham-Pendé", []string{"bangui", "ouham", "pende"}},
		{`"a" OR b* NEAR(c)`, []string{"a", "or", "b", "near", "c"}},
		{"3R 2020", []string{"3r", "2020"}},
		{"Œuvre ÉLÉ", []string{"œuvre", "ele"}},
	} {
		if got := store.SearchWords(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("SearchWords(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	if n := len(store.SearchWords(strings.Repeat("word ", 100))); n != 16 {
		t.Errorf("%d words kept, want 16", n)
	}
}

func TestTextQuery(t *testing.T) {
	words := []string{"ndele", "bangui"}
	if got := store.SQLite.TextQuery(words); got != `"ndele"* "bangui"*` {
		t.Errorf("SQLite query %q", got)
	}
	if got := store.Postgres.TextQuery(words); got != `ndele:* & bangui:*` {
		t.Errorf("PostgreSQL query %q", got)
	}
	if store.SQLite.TextQuery(nil) != "" {
		t.Error("no words must give no query")
	}
}

func TestEscapeLike(t *testing.T) {
	if got := store.EscapeLike(`50%_a\b`); got != `50\%\_a\\b` {
		t.Errorf("EscapeLike = %q", got)
	}
}

// The PostgreSQL full-text column folds with translate(lower(...), FoldFrom,
// FoldTo) written out in the migration: it must fold exactly as Go does.
func TestFoldMatchesMigration(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("migrations", "postgres", "00004_events.sql"))
	if err != nil {
		t.Fatal(err)
	}
	want := "'" + store.FoldFrom + "',\n"
	if !strings.Contains(string(b), want) || !strings.Contains(string(b), "'"+store.FoldTo+"'") {
		t.Fatal("the events migration does not translate with store.FoldFrom and store.FoldTo")
	}
	if got := store.Fold("Ndélé ŒUVRE Ça"); got != "ndele œuvre ca" {
		t.Errorf("Fold = %q", got)
	}
}
