// Package dedup finds people registered more than once in a DDR programme:
// the same ex-combatant at two sites, under a variant spelling, with names
// in another order or a birth year remembered differently. It is pure Go
// with no database: callers hand it Records and get back scored candidate
// pairs with human-readable reasons.
//
// Matching has three layers:
//   - normalisation (Normalise, Token): case, accents, particles (Abdel
//     Karim = Abdelkarim), the transliteration families of Arabic names as
//     written in French and English (Mahamat = Mohamed = Muhammad) and
//     spelling rules (ou/u, dj/j, y/i, ch/sh, doubled letters, silent h);
//   - blocking (Keys): each record yields a few keys (pairs of phonetic
//     name keys, and one name key with the armed group and origin, each
//     with a birth-year band) so only records sharing a key are compared;
//   - scoring (Score): a best assignment between the two name token sets
//     (order does not matter) with Jaro-Winkler on the spelling skeletons,
//     then birth year, sex, armed group and origin adjust the score.
//
// Index holds records for batch deduplication (Index.Pairs) and for the
// check of one new registration against all (Index.Candidates).
package dedup

import (
	"strings"
	"unicode"
)

// foldRune maps an accented Latin letter to its base letter.
func foldRune(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā':
		return 'a'
	case 'ç', 'ć', 'č':
		return 'c'
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė':
		return 'e'
	case 'ì', 'í', 'î', 'ï', 'ī':
		return 'i'
	case 'ñ', 'ń':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō':
		return 'o'
	case 'ù', 'ú', 'û', 'ü', 'ū':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	case 'š':
		return 's'
	case 'ž':
		return 'z'
	}
	return r
}

// particles are joined to the token that follows them, so that
// "Abdel Karim", "Abdelkarim" and "Abd al-Karim" become one token.
var particles = map[string]bool{
	"abd": true, "abdel": true, "abdal": true, "abdoul": true, "abdul": true,
	"abdou": true, "abdu": true, "al": true, "el": true, "ould": true, "wad": true,
}

// Tokens splits a full name into normalised tokens: lower case, accents
// folded, anything but letters treated as a separator, particles joined to
// the next token. Order is kept; matching ignores it.
func Tokens(name string) []string {
	var b strings.Builder
	var out []string
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(name) {
		r = foldRune(r)
		switch {
		case r == '\'' || r == '’' || r == '`':
			// apostrophes join: N'Diaye = Ndiaye
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case unicode.IsLetter(r):
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	joined := out[:0]
	pending := ""
	for _, t := range out {
		if particles[t] {
			if pending == "al" || pending == "el" {
				pending = ""
			}
			pending += t
			continue
		}
		if pending != "" {
			if pending == "al" || pending == "el" {
				pending = "" // "Ahmat al Bachir": the article carries no identity
			}
			t = pending + t
			pending = ""
		}
		joined = append(joined, t)
	}
	if pending != "" {
		joined = append(joined, pending)
	}
	return joined
}

// Skeleton rewrites a normalised token by the spelling rules that French,
// English and local transcriptions of the same name disagree on: ou/u,
// dj/j, tch/ch/sh, kh/k, ph/f, q/k, y/i, w/u, silent h, doubled letters
// and a final e. Two spellings of one name usually share a skeleton or
// differ in a vowel.
func Skeleton(tok string) string {
	s := tok
	for _, r := range skeletonRules {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case 'y':
			c = 'i'
		case 'w':
			c = 'u'
		case 'q':
			c = 'k'
		case 'h':
			continue
		}
		if c == 'c' {
			// c before e/i sounds s, elsewhere k
			if i+1 < len(s) && (s[i+1] == 'e' || s[i+1] == 'i' || s[i+1] == 'y') {
				c = 's'
			} else {
				c = 'k'
			}
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	if len(b) > 3 && b[len(b)-1] == 'e' {
		b = b[:len(b)-1]
	}
	return string(b)
}

var skeletonRules = [][2]string{
	{"tch", "C"}, {"tsh", "C"}, {"dj", "j"}, {"dz", "j"}, {"sch", "S"}, {"ch", "S"}, {"sh", "S"},
	{"kh", "k"}, {"gh", "g"}, {"ph", "f"}, {"th", "t"}, {"dh", "d"}, {"ck", "k"},
	{"ou", "u"}, {"oo", "u"}, {"ae", "a"}, {"ai", "e"}, {"ei", "e"}, {"x", "ks"},
	{"C", "x"}, {"S", "x"},
}

// Phonetic is the blocking key of a token: the canonical family when the
// name belongs to one, otherwise the first letter of the skeleton (vowels
// as one class) and its next three consonants by sound class.
func Phonetic(tok string) string {
	if c, ok := canonical[tok]; ok {
		return "=" + c
	}
	sk := Skeleton(tok)
	if c, ok := canonical[sk]; ok {
		return "=" + c
	}
	if sk == "" {
		return ""
	}
	b := make([]byte, 0, 4)
	first := sk[0]
	if isVowel(first) {
		b = append(b, 'a')
	} else {
		b = append(b, soundClass(first))
	}
	for i := 1; i < len(sk) && len(b) < 4; i++ {
		c := sk[i]
		if isVowel(c) {
			continue
		}
		k := soundClass(c)
		if b[len(b)-1] == k && !isVowel(sk[i-1]) {
			continue
		}
		b = append(b, k)
	}
	return string(b)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

func soundClass(c byte) byte {
	switch c {
	case 'p':
		return 'b'
	case 'd':
		return 't'
	case 'g', 'q', 'c':
		return 'k'
	case 'z':
		return 's'
	case 'v':
		return 'f'
	case 'x':
		return 'j'
	}
	return c
}

// Canonical returns the transliteration family of tok ("muhammad" for
// Mahamat, Mohammed...) and whether it has one.
func Canonical(tok string) (string, bool) {
	if c, ok := canonical[tok]; ok {
		return c, true
	}
	c, ok := canonical[Skeleton(tok)]
	return c, ok
}

// families lists names whose spellings differ beyond what the skeleton
// rules catch (different vowels and consonants, dropped syllables). The
// first spelling names the family.
var families = [][]string{
	{"muhammad", "mohamed", "mohammed", "mohamad", "mohammad", "muhamad", "mouhamed", "mouhammad", "mahamat", "mahamad", "mahammat", "mohamat", "mouhamat", "mahamadou", "mohamadou", "mamat"},
	{"abdullahi", "abdoulaye", "abdullah", "abdallah", "abdoulahi", "abdulahi", "abdallahi", "abdala", "abdoulay"},
	{"ibrahim", "brahim", "ibrahima", "ebrahim", "brahima", "ibrahime", "ibrahimou"},
	{"ahmad", "ahmed", "ahmat", "ahamat", "ahmet"},
	{"umar", "oumar", "omar", "omer", "oumarou", "umaru"},
	{"uthman", "ousmane", "usman", "osman", "othman", "ousman", "outhman", "usmane", "ousmanou"},
	{"musa", "moussa", "mousa", "moussaa"},
	{"adam", "adoum", "adamou", "adem"},
	{"hassan", "hasan", "hassane", "assane", "hassana", "hasane"},
	{"husayn", "hussein", "houssein", "hussain", "houssene", "hussen", "houssen", "husein"},
	{"yusuf", "youssouf", "yousouf", "youssef", "yussuf", "youssoufa", "yousif"},
	{"sulayman", "souleymane", "suleiman", "souleimane", "soulemane", "soleiman", "suleyman", "soulayman"},
	{"idris", "idriss", "driss", "idrissa"},
	{"yaqub", "yacoub", "yakub", "yakoub", "yacoubou", "yaakoub"},
	{"abubakar", "aboubakar", "abakar", "aboubacar", "boubakar", "abubakr", "boubacar", "abbakar"},
	{"harun", "haroun", "aroun", "harouna", "arouna"},
	{"zakariya", "zakaria", "zakari", "zakariyya", "zacharia"},
	{"jibril", "djibril", "jibrin", "djibrine", "jibrine"},
	{"ismail", "ismael", "ismaila", "smail"},
	{"khalil", "khalilou", "halil", "kalil"},
	{"saleh", "salih", "salah", "saley"},
	{"abdelkarim", "abdoulkarim", "abdulkarim", "abdelkerim", "abdoulkerim", "abdkarim"},
	{"abdelrahman", "abdourahmane", "abdulrahman", "abderrahmane", "abdourahman", "abdrahman", "abderahmane"},
	{"abdelaziz", "abdoulaziz", "abdulaziz", "abdelazize"},
	{"mahmud", "mahmoud", "mahamoud", "mahmood"},
	{"mustafa", "moustapha", "mustapha", "moustafa"},
	{"ali", "aly", "aliyu", "aliou", "alioune"},
	{"issa", "isa", "issah"},
	{"yahya", "yaya", "yahia"},
	{"nur", "nour", "nouri", "nuri"},
	{"jean", "jan"},
	{"emmanuel", "emanuel", "manuel"},
	{"joseph", "josef", "yosef"},
}

// canonical maps every spelling and every spelling's skeleton to its
// family name.
var canonical = func() map[string]string {
	m := map[string]string{}
	for _, f := range families {
		for _, v := range f {
			m[v] = f[0]
			m[Skeleton(v)] = f[0]
		}
	}
	return m
}()
