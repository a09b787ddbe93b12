package dedup_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/peaceops/peaceops/ddr/dedup"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"AccentsAndCase", "NGAÏKOSSÉ Jean-Claude", []string{"ngaikosse", "jean", "claude"}},
		{"ParticleJoined", "Abdel Karim Oumar", []string{"abdelkarim", "oumar"}},
		{"ArticleDropped", "Ahmat al Bachir", []string{"ahmat", "bachir"}},
		{"Apostrophe", "N'Diaye Issa", []string{"ndiaye", "issa"}},
		{"Empty", "  -- ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dedup.Tokens(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSameFamily(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"mahamat", "muhammad", true},
		{"mohammed", "mouhamed", true},
		{"abdoulaye", "abdullahi", true},
		{"brahim", "ibrahim", true},
		{"youssouf", "yusuf", true},
		{"djibrine", "jibril", true},
		{"moussa", "issa", false},
		{"oumar", "ousmane", false},
	}
	for _, tc := range tests {
		t.Run(tc.a+"_"+tc.b, func(t *testing.T) {
			fa, oka := dedup.Canonical(tc.a)
			fb, okb := dedup.Canonical(tc.b)
			if got := oka && okb && fa == fb; got != tc.same {
				t.Errorf("same family %q %q = %v (%q, %q), want %v", tc.a, tc.b, got, fa, fb, tc.same)
			}
		})
	}
}

func TestSkeleton(t *testing.T) {
	tests := []struct{ a, b string }{
		{"djamal", "jamal"},
		{"oumarou", "umaru"},
		{"yacoub", "yakub"},
		{"hissein", "hisein"},
		{"ousmane", "usman"},
		{"tchad", "chad"},
	}
	for _, tc := range tests {
		if sa, sb := dedup.Skeleton(tc.a), dedup.Skeleton(tc.b); sa != sb && dedup.Phonetic(tc.a) != dedup.Phonetic(tc.b) {
			t.Errorf("%q (%q, %q) and %q (%q, %q) differ in skeleton and phonetic key", tc.a, sa, dedup.Phonetic(tc.a), tc.b, sb, dedup.Phonetic(tc.b))
		}
	}
}

func TestScore(t *testing.T) {
	base := dedup.Record{ID: "a", Name: "Mahamat Abakar Adoum", Sex: 'M', BirthYear: 1990, Precision: dedup.PrecisionYear, Group: "FPRC", Origin: "CF431", Mother: "Fatimé Hassan"}
	tests := []struct {
		name   string
		edit   func(*dedup.Record)
		dup    bool
		reason string
	}{
		{"Transliteration", func(r *dedup.Record) { r.Name = "Mohamed Abakar Adoum" }, true, "transliteration"},
		{"SwappedOrder", func(r *dedup.Record) { r.Name = "ADOUM Abakar MAHAMAT" }, true, "different order"},
		{"Typo", func(r *dedup.Record) { r.Name = "Mahamat Abakra Adoum" }, true, "typo"},
		{"YearWithinTolerance", func(r *dedup.Record) { r.BirthYear = 1992 }, true, "within"},
		{"Variant", func(r *dedup.Record) { r.Name = "Ali Oumar|Mahamat Abakar Adoum" }, true, ""},
		{"OtherPerson", func(r *dedup.Record) { r.Name = "Moussa Haroun Idriss" }, false, ""},
		{"YearFarOff", func(r *dedup.Record) { r.BirthYear = 1975 }, false, "differ by"},
		{"OtherSex", func(r *dedup.Record) { r.Sex = 'F' }, false, "different sex"},
		{"OtherMother", func(r *dedup.Record) { r.Mother = "Achta Brahim"; r.Group = "UPC"; r.Origin = "CF111" }, false, "different mother"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := base
			b.ID = "b"
			tc.edit(&b)
			m := dedup.Score(&base, &b)
			if got := m.Score >= dedup.Threshold; got != tc.dup {
				t.Errorf("score %.3f (%v): duplicate = %v, want %v", m.Score, m.Reasons, got, tc.dup)
			}
			if tc.reason != "" && !strings.Contains(strings.Join(m.Reasons, "; "), tc.reason) {
				t.Errorf("reasons %v lack %q", m.Reasons, tc.reason)
			}
		})
	}
}

// TestCandidates: a new registration finds its earlier record through the
// index, not an all-pairs scan.
func TestCandidates(t *testing.T) {
	g := dedup.Generate(dedup.GenConfig{Seed: 9, N: 5000, DupRate: 0.1})
	ix := dedup.NewIndex(g.Records)
	found, want := 0, 0
	for i, r := range g.Records {
		if i == 0 || g.Person[i] == i { // first registrations
			continue
		}
		for j := 0; j < i; j++ {
			if g.Person[j] == g.Person[i] {
				want++
				for _, m := range ix.Candidates(&g.Records[i], dedup.Threshold) {
					if m.B == g.Records[j].ID {
						found++
						break
					}
				}
				break
			}
		}
		_ = r
	}
	if want == 0 || float64(found)/float64(want) < 0.9 {
		t.Errorf("single checks found %d of %d earlier registrations", found, want)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a := dedup.Generate(dedup.GenConfig{Seed: 5, N: 500, DupRate: 0.2})
	b := dedup.Generate(dedup.GenConfig{Seed: 5, N: 500, DupRate: 0.2})
	if !slices.Equal(a.Person, b.Person) || a.Records[499] != b.Records[499] {
		t.Error("the same seed gave two different sets")
	}
	if a.TruePairs() == 0 {
		t.Error("no duplicates generated")
	}
}
