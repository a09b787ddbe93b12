package dedup

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Synthetic labelled registrants for measuring the matcher. The pools are
// real names as registered in Central African, Sahel and eastern Congolese
// DDR programmes, listed roughly by frequency (the first are the most
// common, and drawn far more often: a Zipf law), so common-name
// collisions between different people happen as they do in the field.

// arabicMale are given and father's names of Chadian, Sudanese and north-
// eastern Central African (ex-Séléka) combatants, in their usual French
// transcription.
var arabicMale = []string{
	"Mahamat", "Abakar", "Adoum", "Ahmat", "Abdoulaye", "Ibrahim", "Oumar", "Moussa", "Issa", "Ali",
	"Hassan", "Youssouf", "Ousmane", "Haroun", "Idriss", "Saleh", "Souleymane", "Yacoub", "Abdelkerim", "Hissein",
	"Djibrine", "Zakaria", "Ismaël", "Khalil", "Adam", "Abdourahmane", "Mahamoud", "Moustapha", "Nour", "Yaya",
	"Brahim", "Hamid", "Tahir", "Bechir", "Hamat", "Ramadan", "Abderamane", "Daoud", "Chérif", "Djamal",
	"Alhadji", "Mahadi", "Anour", "Nassour", "Hamdan", "Kabir", "Sabre", "Fadoul", "Goudja", "Ousmane",
	"Barka", "Bichara", "Hassaballah", "Abdelaziz", "Mahamadou", "Acheikh", "Tidjani", "Ousman", "Annour", "Younous",
	"Gamar", "Hisseine", "Djidda", "Assileck", "Allamine", "Mackaye", "Taha", "Oumarou", "Djafar", "Seid",
	"Abbo", "Arabi", "Hamadou", "Bakhit", "Madjid", "Rakhis", "Choukou", "Hamza", "Sakine", "Malloum",
	"Acyl", "Allatchi", "Atteib", "Bachar", "Dahab", "Djabir", "Djouma", "Doungous", "Farouk", "Gadaya",
	"Hamit", "Hassabo", "Hinda", "Itno", "Kalli", "Kedallah", "Lony", "Mahdi", "Moukhtar", "Nedjim",
	"Ourada", "Rozi", "Sakhaïr", "Souleiman", "Tom", "Wardougou", "Yabo", "Zene", "Abdelwahid", "Adjid",
	"Ahmed-Kalli", "Baharadine", "Chaïbo", "Dérib", "Fizani", "Gabdo", "Haggar", "Imam", "Kodi", "Lamine",
	"Mardi", "Nguettar", "Oki", "Rahama", "Senoussi", "Tchéré", "Warou", "Youssouf-Saleh", "Zakaria-Ali", "Abdelsalam",
}

// arabicFemale are women's names of the same communities.
var arabicFemale = []string{
	"Fatimé", "Achta", "Zara", "Khadidja", "Hawa", "Mariam", "Aïcha", "Halimé", "Zénaba", "Amina",
	"Hadjé", "Haoua", "Kaltouma", "Asta", "Nafissa", "Mouna", "Safia", "Ramatou", "Salma", "Zakia",
}

// carMale are first names of western and southern Central African
// (anti-balaka) combatants.
var carMale = []string{
	"Jean", "Pierre", "Jean-Claude", "Emmanuel", "Thierry", "Rodrigue", "Bienvenu", "Prince", "Freddy", "Brice",
	"Arsène", "Christian", "Désiré", "Fidèle", "Gervais", "Hervé", "Junior", "Landry", "Marcel", "Noël",
	"Olivier", "Parfait", "Romaric", "Serge", "Sylvain", "Aimé", "Alain", "Blaise", "Cyrille", "Didier",
	"Eloge", "Francis", "Guy", "Igor", "Jonas", "Kévin", "Lucien", "Maurice", "Narcisse", "Orphée",
	"Patrice", "Rufin", "Steve", "Thibault", "Urbain", "Valéry", "Wilfried", "Yves", "Zéphirin", "Gilbert",
}

// carFamily are Sango, Gbaya, Banda and Mandja family names.
var carFamily = []string{
	"Ngaïkossé", "Yakité", "Zoumaldé", "Kossi", "Ngoumbango", "Mbaïkoua", "Ndoba", "Sélémby", "Gbazia", "Yangongo",
	"Kongbo", "Doko", "Feïganazoui", "Wanzet", "Ngouyombo", "Kpéleté", "Namkoïsse", "Yaligaza", "Gbakou", "Mokpem",
	"Ndakala", "Gbangou", "Ouambita", "Zanga", "Yérima", "Koyassoum", "Dologuélé", "Sangaris", "Ngonzo", "Bozizé",
	"Yamalet", "Gbaya", "Ngaïna", "Mbokani", "Kolingba", "Ouanekpone", "Dégbé", "Ngakola", "Bangui", "Mandaba",
	"Yassinguéré", "Ndengou", "Zongo", "Kamba", "Sérégaza", "Ngaba", "Gondjé", "Wodobodé", "Yapendé", "Koulaninga",
	"Djapou", "Ngoyo", "Gbadin", "Ngbanda", "Kombo", "Yalimandji", "Nganamokoï", "Ouaboua", "Doui", "Sombo",
}

// carFemale are women's first names in the same communities.
var carFemale = []string{
	"Marie", "Clarisse", "Pélagie", "Solange", "Nadège", "Grâce", "Odette", "Sandrine", "Prisca", "Chantal",
	"Gisèle", "Laurence", "Murielle", "Rosine", "Yvette", "Carine", "Edwige", "Flore", "Jeanne", "Léa",
}

// fulaMale are Fulani names of the 3R and pastoralist armed groups.
var fulaMale = []string{
	"Ardo", "Bouba", "Abdoulaye", "Oumarou", "Hamadou", "Sali", "Aliou", "Bello", "Djibrilla", "Moussa",
	"Adamou", "Yaya", "Amadou", "Sidiki", "Ibrahima", "Garba", "Souley", "Boubakar", "Mamoudou", "Sambo",
	"Ousmanou", "Yérima", "Djidda", "Saïdou", "Hassana", "Dahirou", "Mohamadou", "Issa", "Abbo", "Haman",
	"Alhadji", "Babba", "Dairou", "Djaouro", "Hayatou", "Inoua", "Mal", "Nassourou", "Oussoumanou", "Wakili",
	"Yougouda", "Bakary", "Daouda", "Galdima", "Manou", "Ousseini", "Sadou", "Toukour", "Baba", "Modibo",
	"Aboubakar", "Alim", "Djoda", "Hamidou", "Kaigama", "Laminou", "Mouhamadou", "Nouhou", "Roufaï", "Zakari",
}

// drcGiven are first names in eastern Congo.
var drcGiven = []string{
	"Jean-Pierre", "Patrick", "Emmanuel", "Innocent", "Désiré", "Faustin", "Jean-Marie", "Justin", "Pascal", "Eric",
	"Jacques", "Joseph", "Olivier", "Albert", "Dieudonné", "Fiston", "Germain", "Héritier", "Jérémie", "Josué",
	"Kennedy", "Lambert", "Moïse", "Noël", "Pacifique", "Prosper", "Sylvestre", "Théophile", "Valentin", "Zacharie",
	"Bosco", "Chance", "Dieumerci", "Espoir", "Fabrice", "Gédéon", "Isaac", "Jackson", "Mapendo", "Prince",
}

// drcFamily are Nande, Hunde, Hutu, Luba and Lega names (nom and postnom).
var drcFamily = []string{
	"Kambale", "Kasereka", "Kahindo", "Mumbere", "Muhindo", "Paluku", "Kakule", "Masika", "Kavira", "Kasoki",
	"Bahati", "Byamungu", "Mugisha", "Ntawiha", "Habimana", "Munyakazi", "Bizimana", "Nsengiyumva", "Shukuru", "Amani",
	"Furaha", "Lusenge", "Mbusa", "Syaghuswa", "Kisuba", "Mulumba", "Tshibangu", "Ilunga", "Mukendi", "Kalala",
	"Kasongo", "Mwamba", "Ngoy", "Kyalwahi", "Vagheni", "Kataliko", "Sikuli", "Kambere", "Musubao", "Mathe",
	"Katembo", "Kighoma", "Maliro", "Mastaki", "Nzanzu", "Kasiwa", "Baraka", "Bulambo", "Cirimwami", "Mirindi",
	"Bisimwa", "Mushagalusa", "Rugamba", "Zihindula", "Ntakobajira", "Bashizi", "Chubaka", "Ndayishimiye", "Ruhimbika", "Sebagenzi",
}

// drcFemale are women's first names in eastern Congo.
var drcFemale = []string{
	"Neema", "Esther", "Anuarite", "Furaha", "Sifa", "Riziki", "Faida", "Mapendo", "Aline", "Divine",
	"Francine", "Jeanne", "Nadine", "Rachel", "Solange", "Vumilia", "Zawadi", "Germaine", "Alphonsine", "Claudine",
}

// Family names in the Central African Republic and eastern Congo are far
// more varied than any list: the listed names are joined by names built
// from the syllables of Sango/Banda/Gbaya and of Nande/Hunde/Shi, drawn
// with the same frequency law, so pools hold about 1,000 names.
var carSyllables = []string{"nga", "ï", "kos", "sé", "ya", "ki", "té", "zou", "mal", "dé", "ko", "ssi", "mbo", "kou",
	"ndo", "ba", "gba", "zia", "go", "ngo", "wan", "zet", "kpé", "lé", "nam", "koï", "li", "ga", "za", "mo",
	"da", "la", "ou", "bi", "ta", "yé", "rim", "ssou", "ndé", "mba", "ngou", "doua", "pen", "ka", "wé"}

var drcSyllables = []string{"ka", "mba", "le", "se", "re", "hi", "ndo", "mu", "pa", "lu", "ku", "ma", "si", "vi",
	"ra", "so", "ki", "ba", "ha", "ti", "bya", "ngu", "gi", "sha", "nta", "wi", "bi", "zi", "nse", "yu", "shu",
	"kuru", "ni", "nge", "mwa", "tshi", "ngo", "ri", "ga", "mbe", "ghe", "tha", "no", "kya"}

// syllableNames returns n distinct names of two or three syllables,
// deterministically, after the listed ones.
func syllableNames(listed []string, syl []string, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed))
	seen := map[string]bool{}
	out := append([]string(nil), listed...)
	for _, s := range listed {
		seen[strings.ToLower(s)] = true
	}
	for len(out) < len(listed)+n {
		k := 2 + r.IntN(2)
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		s := b.String()
		if seen[s] || len([]rune(s)) < 4 {
			continue
		}
		seen[s] = true
		out = append(out, strings.ToUpper(s[:1])+s[1:])
	}
	return out
}

var (
	carFamilyPool = syllableNames(carFamily, carSyllables, 1000, 7)
	drcFamilyPool = syllableNames(drcFamily, drcSyllables, 1000, 11)
)

// region is a recruiting area: its name pools, armed groups and origins.
type region struct {
	male, female, family []string // family nil: names drawn from male (father's name)
	groups, origins      []string
	third                float64 // probability of a third name
	weight               float64
}

var regions = []region{
	{male: arabicMale, female: arabicFemale, groups: []string{"FPRC", "UPC", "MPC", "RPRC", "PRNC"},
		origins: []string{"CF411", "CF412", "CF421", "CF422", "CF431", "CF432", "CF433", "CF331", "CF332", "CF321", "TD071", "TD072", "SD121"}, third: 0.9, weight: 0.35},
	{male: carMale, female: carFemale, family: carFamilyPool, groups: []string{"AB-MOKOM", "AB-NGAISSONA", "RJ", "FDPC", "CPC"},
		origins: []string{"CF111", "CF112", "CF121", "CF131", "CF132", "CF141", "CF211", "CF221", "CF231", "CF241", "CF711"}, third: 0.4, weight: 0.3},
	{male: fulaMale, female: arabicFemale, groups: []string{"3R", "UPC"},
		origins: []string{"CF131", "CF132", "CF151", "CF152", "CM101"}, third: 0.9, weight: 0.1},
	{male: drcGiven, female: drcFemale, family: drcFamilyPool, groups: []string{"NDC-R", "FDLR", "APCLS", "MAI-MAI-YAKUTUMBA", "CODECO", "NYATURA", "RAIA-MUTOMBOKI"},
		origins: []string{"CD6101", "CD6102", "CD6103", "CD6104", "CD6201", "CD6202", "CD6203", "CD5401", "CD5402", "CD5403", "CD6301"}, third: 0.85, weight: 0.25},
}

// GenConfig says what Generate produces.
type GenConfig struct {
	Seed    uint64
	N       int     // records in all
	DupRate float64 // fraction of records that re-register a person already in the set (0.1 = 10%)
}

// Generated is a labelled synthetic set: Person[i] is the person behind
// Records[i]; records of the same person are true duplicates.
type Generated struct {
	Records []Record
	Person  []int
}

// TruePairs counts the pairs of records that share a person.
func (g *Generated) TruePairs() int {
	count := map[int]int{}
	for _, p := range g.Person {
		count[p]++
	}
	n := 0
	for _, c := range count {
		n += c * (c - 1) / 2
	}
	return n
}

// zipfExponent and zipfOffset shape name frequencies: the most common
// name of a pool of 80 is drawn about 5% of the time, the rarest 0.6%.
const zipfExponent, zipfOffset = 0.8, 8

type zipf struct{ cum []float64 }

func newZipf(n int) zipf {
	z := zipf{cum: make([]float64, n)}
	s := 0.0
	for i := 0; i < n; i++ {
		exp := zipfExponent
		if n > 200 {
			exp = 0.5 // long family-name pools are flatter
		}
		s += 1 / math.Pow(float64(i+zipfOffset), exp)
		z.cum[i] = s
	}
	for i := range z.cum {
		z.cum[i] /= s
	}
	return z
}

func (z zipf) pick(r *rand.Rand) int {
	u := r.Float64()
	lo, hi := 0, len(z.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if z.cum[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// zipfs holds one frequency table per pool size, built once.
var zipfs = func() map[int]zipf {
	m := map[int]zipf{}
	for _, reg := range regions {
		for _, pool := range [][]string{reg.male, reg.female, reg.family} {
			if pool != nil {
				m[len(pool)] = newZipf(len(pool))
			}
		}
	}
	return m
}()

func pickName(r *rand.Rand, pool []string) string {
	return pool[zipfs[len(pool)].pick(r)]
}

type person struct {
	names     []string
	sex       byte
	year      int
	day       string
	mother    string
	precision Precision
	group     string
	origin    string
	region    int
}

// Generate returns a labelled synthetic set. The same config always gives
// the same set.
func Generate(cfg GenConfig) *Generated {
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	g := &Generated{Records: make([]Record, 0, cfg.N), Person: make([]int, 0, cfg.N)}
	var people []person
	for len(g.Records) < cfg.N {
		var p person
		pi := 0
		if len(people) > 0 && r.Float64() < cfg.DupRate {
			pi = r.IntN(len(people))
			p = variant(r, people[pi])
		} else {
			p = newPerson(r)
			people = append(people, p)
			pi = len(people) - 1
		}
		rec := Record{
			ID:        fmt.Sprintf("R%07d", len(g.Records)),
			Name:      strings.Join(p.names, " "),
			Sex:       p.sex,
			BirthYear: p.year,
			BirthDay:  p.day,
			Mother:    p.mother,
			Precision: p.precision,
			Group:     p.group,
			Origin:    p.origin,
		}
		if r.Float64() < 0.5 {
			rec.Name = strings.ToUpper(rec.Name)
		}
		g.Records = append(g.Records, rec)
		g.Person = append(g.Person, pi)
	}
	return g
}

func newPerson(r *rand.Rand) person {
	u := r.Float64()
	ri := 0
	for i, reg := range regions {
		if u < reg.weight {
			ri = i
			break
		}
		u -= reg.weight
	}
	reg := regions[ri]
	p := person{region: ri, sex: 'M'}
	if r.Float64() < 0.12 {
		p.sex = 'F'
	}
	given := pickName(r, reg.male)
	if p.sex == 'F' {
		given = pickName(r, reg.female)
	}
	family := reg.family
	if family == nil {
		family = reg.male
	}
	p.names = []string{given, pickName(r, family)}
	if r.Float64() < reg.third {
		p.names = append(p.names, pickName(r, family))
	}
	if family := reg.family; family != nil && r.Float64() < 0.5 {
		// nom, postnom, prénom: the given name last
		p.names = append(p.names[1:], p.names[0])
	}
	if r.Float64() < 0.85 {
		p.mother = pickName(r, reg.female)
		if r.Float64() < 0.5 {
			p.mother += " " + pickName(r, family)
		}
	}
	p.year = 1970 + r.IntN(40)
	switch u := r.Float64(); {
	case u < 0.3:
		p.precision = PrecisionDay
		p.day = fmt.Sprintf("%02d-%02d", 1+r.IntN(12), 1+r.IntN(28))
	case u < 0.8:
		p.precision = PrecisionYear
	default:
		p.precision = PrecisionApprox
	}
	p.group = reg.groups[r.IntN(len(reg.groups))]
	p.origin = reg.origins[r.IntN(len(reg.origins))]
	return p
}

// variant is the same person registering again: another clerk, another
// site, another spelling, a remembered age instead of a date.
func variant(r *rand.Rand, p person) person {
	v := p
	v.names = append([]string(nil), p.names...)
	for i, n := range v.names {
		v.names[i] = respell(r, n)
	}
	if v.mother != "" {
		if r.Float64() < 0.1 {
			v.mother = "" // not asked this time
		} else {
			v.mother = respell(r, v.mother)
		}
	}
	if r.Float64() < 0.25 {
		i := r.IntN(len(v.names))
		v.names[i] = typo(r, v.names[i])
	}
	if r.Float64() < 0.3 {
		r.Shuffle(len(v.names), func(i, j int) { v.names[i], v.names[j] = v.names[j], v.names[i] })
	}
	if len(v.names) >= 3 && r.Float64() < 0.1 {
		v.names = v.names[:len(v.names)-1] // grandfather's name left out
	}
	tol := map[Precision]int{PrecisionDay: 0, PrecisionYear: 1, PrecisionApprox: 3}[p.precision]
	if r.Float64() < 0.3 {
		v.precision, v.day = PrecisionApprox, ""
		tol = 3
	}
	if tol > 0 {
		v.year += r.IntN(2*tol+1) - tol
	}
	if r.Float64() < 0.05 {
		reg := regions[p.region]
		v.group = reg.groups[r.IntN(len(reg.groups))]
	}
	if r.Float64() < 0.15 {
		reg := regions[p.region]
		v.origin = reg.origins[r.IntN(len(reg.origins))]
	}
	return v
}

// respell writes a name as another clerk might: a transliteration of the
// same Arabic name, or one of the spelling habits (ou/u, dj/j, y/i,
// doubled letters, accents, a final e).
func respell(r *rand.Rand, name string) string {
	if fam, ok := Canonical(strings.ToLower(foldString(name))); ok && r.Float64() < 0.5 {
		for _, f := range families {
			if f[0] == fam {
				s := f[r.IntN(len(f))]
				return strings.ToUpper(s[:1]) + s[1:]
			}
		}
	}
	s := name
	if r.Float64() < 0.5 {
		s = foldString(s)
	}
	rules := [][2]string{{"ou", "u"}, {"u", "ou"}, {"dj", "j"}, {"j", "dj"}, {"y", "i"}, {"i", "y"},
		{"ss", "s"}, {"s", "ss"}, {"mm", "m"}, {"kh", "k"}, {"ch", "sh"}, {"c", "k"}, {"é", "e"}, {"ï", "i"},
		{"e", "é"}, {"tt", "t"}, {"ll", "l"}, {"ph", "f"}}
	for _, rule := range rules {
		if strings.Contains(s, rule[0]) && r.Float64() < 0.12 {
			s = strings.Replace(s, rule[0], rule[1], 1)
		}
	}
	if r.Float64() < 0.1 {
		if strings.HasSuffix(s, "e") {
			s = s[:len(s)-1]
		} else {
			s += "e"
		}
	}
	return s
}

func foldString(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// typo makes one keying error: a letter replaced, dropped, doubled or two
// letters swapped.
func typo(r *rand.Rand, s string) string {
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	i := 1 + r.IntN(len(rs)-1)
	switch r.IntN(4) {
	case 0:
		rs[i] = rune('a' + r.IntN(26))
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	case 2:
		rs = append(rs[:i+1], rs[i:]...)
	default:
		if i+1 < len(rs) {
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
	}
	return string(rs)
}
