package conduct

import (
	"strconv"
)

// Table is a count table before publication: Cells[i][j] counts the
// records of row Rows[i] in column Cols[j]. Totals are the sums of the
// cells.
type Table struct {
	Key   string   `json:"key"`
	Title string   `json:"title"`
	Rows  []string `json:"rows"`
	Cols  []string `json:"cols"`
	Cells [][]int  `json:"-"`
	index map[string]int
}

func newTable(key, title string, cols []string) *Table {
	return &Table{Key: key, Title: title, Cols: cols, index: map[string]int{}}
}

// add counts n more in row label, column col (which must be one of Cols).
func (t *Table) add(label string, col int, n int) {
	i, ok := t.index[label]
	if !ok {
		i = len(t.Rows)
		t.index[label] = i
		t.Rows = append(t.Rows, label)
		t.Cells = append(t.Cells, make([]int, len(t.Cols)))
	}
	t.Cells[i][col] += n
}

// Cell is one published cell: its text, and its value unless suppressed.
type Cell struct {
	Text       string `json:"text"`
	Value      *int   `json:"value,omitempty"`
	Suppressed bool   `json:"suppressed,omitempty"`
	// Primary marks a cell hidden because it is small; the others are
	// hidden so that the small ones cannot be found by subtraction.
	Primary bool `json:"-"`
}

// Row is a published row with its total.
type Row struct {
	Label string `json:"label"`
	Cells []Cell `json:"cells"`
	Total Cell   `json:"total"`
}

// Published is a table as the public sees it: small cells suppressed.
type Published struct {
	Key    string   `json:"key"`
	Title  string   `json:"title"`
	Cols   []string `json:"cols"`
	Rows   []Row    `json:"rows"`
	Totals []Cell   `json:"totals"` // column totals
	Grand  Cell     `json:"grand"`
}

// Suppress returns which entries of the extended table (cells, then the
// row totals in the last column, the column totals in the last row and the
// grand total in the corner) must be hidden so that no entry below
// threshold is shown and none can be recovered by subtracting the visible
// entries of its row or column from their total.
//
// Primary suppression hides every entry v with 0 < v < threshold.
// Complementary suppression then repeats until nothing changes: every row
// and column (totals included, each line being "cells sum to the total")
// holding exactly one hidden entry gets a second one, the smallest visible
// entry of the line, preferring cells to totals, non-zero values to
// zeros (a hidden zero still hides) and entries whose crossing line already
// hides one (so one more entry protects both lines). Each pass hides at least one more
// entry, so the loop ends; at its end every line hides none or at least
// two entries, and a single subtraction recovers nothing.
func Suppress(ext [][]int, threshold int) (hidden, primary [][]bool) {
	R, C := len(ext), 0
	if R > 0 {
		C = len(ext[0])
	}
	hidden = make([][]bool, R)
	primary = make([][]bool, R)
	for i := range ext {
		hidden[i] = make([]bool, C)
		primary[i] = make([]bool, C)
		for j, v := range ext[i] {
			if v > 0 && v < threshold {
				hidden[i][j], primary[i][j] = true, true
			}
		}
	}
	// line i of the rows is (i, 0..C-1); total entry at C-1. Likewise for
	// columns. A line's "total" entry is its last.
	type pos struct{ i, j int }
	// crossFree is 0 when the line crossing this one at (i, j) already
	// hides some entry (hiding (i, j) then protects both lines), else 1.
	crossFree := func(i, j int, alongRow bool) int {
		for k := 0; ; k++ {
			if alongRow && k >= R || !alongRow && k >= C {
				return 1
			}
			if alongRow && k != i && hidden[k][j] || !alongRow && k != j && hidden[i][k] {
				return 0
			}
		}
	}
	fix := func(line []pos) bool {
		n := 0
		for _, p := range line {
			if hidden[p.i][p.j] {
				n++
			}
		}
		if n != 1 {
			return false
		}
		best := -1
		rank := func(k int) [4]int {
			p := line[k]
			total := 0
			if p.i == R-1 || p.j == C-1 {
				total = 1
			}
			zero := 0
			if ext[p.i][p.j] == 0 {
				zero = 1
			}
			return [4]int{total, zero, crossFree(p.i, p.j, line[0].i == line[len(line)-1].i), ext[p.i][p.j]}
		}
		less := func(a, b [4]int) bool {
			for x := range a {
				if a[x] != b[x] {
					return a[x] < b[x]
				}
			}
			return false
		}
		for k, p := range line {
			if hidden[p.i][p.j] {
				continue
			}
			if best < 0 || less(rank(k), rank(best)) {
				best = k
			}
		}
		if best < 0 {
			return false
		}
		hidden[line[best].i][line[best].j] = true
		return true
	}
	for changed := true; changed; {
		changed = false
		for i := 0; i < R; i++ {
			line := make([]pos, C)
			for j := range line {
				line[j] = pos{i, j}
			}
			if fix(line) {
				changed = true
			}
		}
		for j := 0; j < C; j++ {
			line := make([]pos, R)
			for i := range line {
				line[i] = pos{i, j}
			}
			if fix(line) {
				changed = true
			}
		}
	}
	return hidden, primary
}

// extend returns the table with its row totals as a last column, and its
// column totals and grand total as a last row.
func (t *Table) extend() [][]int {
	R, C := len(t.Rows), len(t.Cols)
	ext := make([][]int, R+1)
	for i := range ext {
		ext[i] = make([]int, C+1)
	}
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			v := t.Cells[i][j]
			ext[i][j] = v
			ext[i][C] += v
			ext[R][j] += v
			ext[R][C] += v
		}
	}
	return ext
}

// Publish suppresses t's small cells (see Suppress) and returns it as the
// public sees it: a suppressed cell reads "<threshold" when it is small
// itself and "x" when it was hidden to protect another.
func (t *Table) Publish(threshold int) Published {
	ext := t.extend()
	hidden, primary := Suppress(ext, threshold)
	cell := func(i, j int) Cell {
		if hidden[i][j] {
			text := "x"
			if primary[i][j] {
				text = "<" + strconv.Itoa(threshold)
			}
			return Cell{Text: text, Suppressed: true, Primary: primary[i][j]}
		}
		v := ext[i][j]
		return Cell{Text: strconv.Itoa(v), Value: &v}
	}
	R, C := len(t.Rows), len(t.Cols)
	p := Published{Key: t.Key, Title: t.Title, Cols: t.Cols}
	for i := 0; i < R; i++ {
		row := Row{Label: t.Rows[i], Total: cell(i, C)}
		for j := 0; j < C; j++ {
			row.Cells = append(row.Cells, cell(i, j))
		}
		p.Rows = append(p.Rows, row)
	}
	for j := 0; j < C; j++ {
		p.Totals = append(p.Totals, cell(R, j))
	}
	p.Grand = cell(R, C)
	return p
}
