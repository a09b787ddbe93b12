package dedup

import (
	"cmp"
	"hash/fnv"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// bandWidth is the width in years of the birth-year bands keys carry.
const bandWidth = 5

// yearRange is the span of plausible birth years used for records whose
// year is unknown: they are placed in every band, so they meet everyone.
const minYear, maxYear = 1940, 2020

// bands returns the birth-year bands a record falls in: those overlapping
// its year plus or minus its tolerance (at least 2 years).
func bands(r *Record) []int {
	if r.BirthYear == 0 {
		out := make([]int, 0, (maxYear-minYear)/bandWidth+1)
		for b := minYear / bandWidth; b <= maxYear/bandWidth; b++ {
			out = append(out, b)
		}
		return out
	}
	tol := max(r.Precision.tolerance(), 2)
	lo, hi := (r.BirthYear-tol)/bandWidth, (r.BirthYear+tol)/bandWidth
	out := make([]int, 0, hi-lo+1)
	for b := lo; b <= hi; b++ {
		out = append(out, b)
	}
	return out
}

// Keys returns the blocking keys of a record, as text (the form a
// database index stores). Two records are compared only when they share a
// key. Three passes, each within a birth-year band:
//
//	P: the phonetic keys of two names of the record (any order);
//	G: one name's phonetic key with the armed group and origin;
//	F: for two-name spellings, one name's phonetic key with the first two
//	   letters of the other's skeleton (catches a typo that changes a
//	   phonetic key; with three names a typo leaves a P key intact).
func Keys(r *Record) []string {
	p := prepare(r)
	return p.keys()
}

func (p *prepared) keys() []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	bs := p.bandsCached()
	for _, toks := range p.spells {
		for i := range toks {
			ki := toks[i].phon
			if ki == "" {
				continue
			}
			for j := range toks {
				if j == i || toks[j].phon == "" {
					continue
				}
				kj := toks[j].phon
				if ki < kj {
					for _, b := range bs {
						add("P|" + ki + "|" + kj + "|" + strconv.Itoa(b))
					}
				}
				if len(toks) == 2 {
					// two names: one typo breaks the only pair key (three
					// names keep a pair intact)
					pre := toks[j].skel
					if len(pre) > 2 {
						pre = pre[:2]
					}
					for _, b := range bs {
						add("F|" + ki + "|" + pre + "|" + strconv.Itoa(b))
					}
				}
			}
			if p.rec.Group != "" && p.rec.Origin != "" {
				for _, b := range bs {
					add("G|" + ki + "|" + p.rec.Group + "|" + p.rec.Origin + "|" + strconv.Itoa(b))
				}
			}
		}
	}
	return out
}

func (p *prepared) bandsCached() []int { return bands(p.rec) }

func hashKey(k string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(k))
	return h.Sum64()
}

type posting struct {
	key uint64
	idx int32
}

// Index holds prepared records and their blocking keys, for batch
// deduplication and for checking one registration against all. An Index
// is safe for concurrent reads once built.
type Index struct {
	recs     []prepared
	keys     [][]uint64 // per record, sorted
	postings []posting  // sorted by key then idx
	// MaxBlock caps how many records one key may gather before the batch
	// pass skips it (a key that common carries no information); skipped
	// blocks are counted in Stats.
	MaxBlock int
}

// Stats describes a batch run.
type Stats struct {
	Records       int
	Keys          int   // distinct blocking keys
	Comparisons   int64 // pairs scored
	SkippedBlocks int   // blocks larger than MaxBlock
	Matches       int
}

// NewIndex prepares recs (in parallel) and builds the blocking index.
func NewIndex(recs []Record) *Index {
	ix := &Index{recs: make([]prepared, len(recs)), keys: make([][]uint64, len(recs)), MaxBlock: 5000}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	chunk := (len(recs) + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(len(recs), (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				ix.recs[i] = prepare(&recs[i])
				ks := ix.recs[i].keys()
				hs := make([]uint64, len(ks))
				for k, s := range ks {
					hs[k] = hashKey(s)
				}
				slices.Sort(hs)
				ix.keys[i] = slices.Compact(hs)
			}
		}(lo, hi)
	}
	wg.Wait()
	ix.intern()
	n := 0
	for _, ks := range ix.keys {
		n += len(ks)
	}
	ix.postings = make([]posting, 0, n)
	for i, ks := range ix.keys {
		for _, k := range ks {
			ix.postings = append(ix.postings, posting{k, int32(i)})
		}
	}
	slices.SortFunc(ix.postings, func(a, b posting) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	return ix
}

// intern numbers the distinct tokens of the index so similarities can be
// cached by token pair.
func (ix *Index) intern() {
	ids := map[string]int32{}
	set := func(toks []token) {
		for k := range toks {
			id, ok := ids[toks[k].norm]
			if !ok {
				id = int32(len(ids) + 1)
				ids[toks[k].norm] = id
			}
			toks[k].id = id
		}
	}
	for i := range ix.recs {
		for _, sp := range ix.recs[i].spells {
			set(sp)
		}
		set(ix.recs[i].mother)
	}
}

// Len returns the number of records in the index.
func (ix *Index) Len() int { return len(ix.recs) }

// firstShared returns the smallest key both sorted lists hold.
func firstShared(a, b []uint64) uint64 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return a[i]
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 0
}

// Pairs returns every pair of records scoring at least threshold, each
// pair once, highest score first, with reasons, and the run's statistics.
// Blocks are shared among GOMAXPROCS workers.
func (ix *Index) Pairs(threshold float64) ([]Match, Stats) {
	type block struct{ lo, hi int }
	var blocks []block
	st := Stats{Records: len(ix.recs)}
	for lo := 0; lo < len(ix.postings); {
		hi := lo + 1
		for hi < len(ix.postings) && ix.postings[hi].key == ix.postings[lo].key {
			hi++
		}
		st.Keys++
		switch {
		case hi-lo < 2:
		case hi-lo > ix.MaxBlock:
			st.SkippedBlocks++
		default:
			blocks = append(blocks, block{lo, hi})
		}
		lo = hi
	}
	// biggest blocks first balances the workers
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].hi-blocks[i].lo > blocks[j].hi-blocks[j].lo })
	workers := runtime.GOMAXPROCS(0)
	next := make(chan block, 256)
	var mu sync.Mutex
	var out []Match
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []Match
			var cmps int64
			cache := simCache{}
			for b := range next {
				key := ix.postings[b.lo].key
				for x := b.lo; x < b.hi; x++ {
					i := ix.postings[x].idx
					for y := x + 1; y < b.hi; y++ {
						j := ix.postings[y].idx
						if firstShared(ix.keys[i], ix.keys[j]) != key {
							continue // scored in the block of their first shared key
						}
						cmps++
						m := scoreCached(&ix.recs[i], &ix.recs[j], false, cache)
						if m.Score >= threshold {
							local = append(local, m)
						}
					}
				}
			}
			mu.Lock()
			out = append(out, local...)
			st.Comparisons += cmps
			mu.Unlock()
		}()
	}
	for _, b := range blocks {
		next <- b
	}
	close(next)
	wg.Wait()
	byID := make(map[string]int, len(out)*2)
	for i := range out {
		byID[out[i].A] = -1
		byID[out[i].B] = -1
	}
	for i := range ix.recs {
		if _, ok := byID[ix.recs[i].rec.ID]; ok {
			byID[ix.recs[i].rec.ID] = i
		}
	}
	for k := range out {
		a, b := byID[out[k].A], byID[out[k].B]
		out[k] = scorePrepared(&ix.recs[a], &ix.recs[b], true)
	}
	sortMatches(out)
	st.Matches = len(out)
	return out, st
}

func sortMatches(ms []Match) {
	slices.SortFunc(ms, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.A, b.A); c != 0 {
			return c
		}
		return cmp.Compare(a.B, b.B)
	})
}

// Candidates returns the indexed records scoring at least threshold
// against r (r itself, by ID, excluded), best first, with reasons.
func (ix *Index) Candidates(r *Record, threshold float64) []Match {
	p := prepare(r)
	seen := map[int32]bool{}
	var out []Match
	for _, s := range p.keys() {
		k := hashKey(s)
		lo, _ := slices.BinarySearchFunc(ix.postings, k, func(e posting, k uint64) int { return cmp.Compare(e.key, k) })
		for x := lo; x < len(ix.postings) && ix.postings[x].key == k; x++ {
			j := ix.postings[x].idx
			if seen[j] || ix.recs[j].rec.ID == r.ID {
				continue
			}
			seen[j] = true
			m := scorePrepared(&p, &ix.recs[j], false)
			if m.Score >= threshold {
				out = append(out, scorePrepared(&p, &ix.recs[j], true))
			}
		}
	}
	sortMatches(out)
	return out
}

// AllPairs scores every pair of recs without blocking: the baseline that
// blocking is measured against (quadratic: for small sets only).
func AllPairs(recs []Record, threshold float64) ([]Match, int64) {
	ix := &Index{recs: make([]prepared, len(recs))}
	for i := range recs {
		ix.recs[i] = prepare(&recs[i])
	}
	ix.intern()
	ps := ix.recs
	workers := runtime.GOMAXPROCS(0)
	var mu sync.Mutex
	var out []Match
	var total int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var local []Match
			var n int64
			cache := simCache{}
			for i := w; i < len(ps); i += workers {
				for j := i + 1; j < len(ps); j++ {
					n++
					if m := scoreCached(&ps[i], &ps[j], false, cache); m.Score >= threshold {
						local = append(local, m)
					}
				}
			}
			mu.Lock()
			out = append(out, local...)
			total += n
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	sortMatches(out)
	return out, total
}
