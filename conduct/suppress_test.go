package conduct_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/peaceops/peaceops/conduct"
)

// published turns a published table back into what a reader sees: the
// extended matrix (cells, row totals last, column totals in the last row)
// with -1 where a cell is hidden.
func published(p conduct.Published) [][]int {
	val := func(c conduct.Cell) int {
		if c.Suppressed {
			return -1
		}
		n, err := strconv.Atoi(c.Text)
		if err != nil {
			panic(c.Text)
		}
		return n
	}
	var out [][]int
	for _, r := range p.Rows {
		var line []int
		for _, c := range r.Cells {
			line = append(line, val(c))
		}
		out = append(out, append(line, val(r.Total)))
	}
	var last []int
	for _, c := range p.Totals {
		last = append(last, val(c))
	}
	return append(out, append(last, val(p.Grand)))
}

// recoverable tries every subtraction a reader can make on the published
// table: in each row and column, total minus the visible cells. A line
// with a visible total and one hidden cell gives that cell away, as does a
// line with a hidden total and every cell visible; a cell so recovered
// becomes visible and the attack repeats until nothing more comes out. It
// returns the cells it recovered.
func recoverable(m [][]int, truth [][]int) [][2]int {
	R, C := len(m), len(m[0])
	var got [][2]int
	for changed := true; changed; {
		changed = false
		try := func(line [][2]int) {
			hidden := -1
			sum := 0
			total := line[len(line)-1]
			for k, p := range line[:len(line)-1] {
				if m[p[0]][p[1]] < 0 {
					if hidden >= 0 {
						return
					}
					hidden = k
					continue
				}
				sum += m[p[0]][p[1]]
			}
			switch {
			case hidden >= 0 && m[total[0]][total[1]] >= 0:
				p := line[hidden]
				m[p[0]][p[1]] = m[total[0]][total[1]] - sum
				got, changed = append(got, p), true
			case hidden < 0 && m[total[0]][total[1]] < 0:
				m[total[0]][total[1]] = sum
				got, changed = append(got, total), true
			}
		}
		for i := 0; i < R; i++ {
			var line [][2]int
			for j := 0; j < C; j++ {
				line = append(line, [2]int{i, j})
			}
			try(line)
		}
		for j := 0; j < C; j++ {
			var line [][2]int
			for i := 0; i < R; i++ {
				line = append(line, [2]int{i, j})
			}
			try(line)
		}
	}
	for _, p := range got {
		if truth != nil && m[p[0]][p[1]] != truth[p[0]][p[1]] {
			panic("the attack computed a wrong value")
		}
	}
	return got
}

func extended(cells [][]int) [][]int {
	R, C := len(cells), len(cells[0])
	ext := make([][]int, R+1)
	for i := range ext {
		ext[i] = make([]int, C+1)
	}
	for i := range cells {
		for j, v := range cells[i] {
			ext[i][j], ext[i][C], ext[R][j], ext[R][C] = v, ext[i][C]+v, ext[R][j]+v, ext[R][C]+v
		}
	}
	return ext
}

func checkTable(t *testing.T, name string, cells [][]int, threshold int) {
	t.Helper()
	tab := conduct.NewTableForTest(name, cells)
	p := tab.Publish(threshold)
	m := published(p)
	truth := extended(cells)
	for i := range truth {
		for j, v := range truth[i] {
			if m[i][j] >= 0 && m[i][j] > 0 && m[i][j] < threshold {
				t.Fatalf("%s: small value %d published at %d,%d", name, v, i, j)
			}
			if m[i][j] >= 0 && m[i][j] != v {
				t.Fatalf("%s: published %d at %d,%d, truth %d", name, m[i][j], i, j, v)
			}
		}
	}
	if got := recoverable(m, truth); len(got) > 0 {
		t.Fatalf("%s: cells %v recovered by subtraction from %v (published %v)", name, got, truth, published(p))
	}
}

func TestSuppression(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cells  [][]int
		hidden int // how many entries of the extended table end hidden
	}{
		{"Nothing small", [][]int{{5, 7}, {9, 3}}, 0},
		{"One small cell hides a square", [][]int{{1, 7, 8}, {9, 4, 6}, {5, 5, 5}}, 4},
		{"Small row total", [][]int{{1, 0}, {9, 9}}, 4},
		{"Single column", [][]int{{2}, {9}, {8}}, 4},
		{"All cells small, totals not", [][]int{{1, 2}, {2, 1}}, 4},
		{"Everything small", [][]int{{1, 0}, {0, 1}}, 7},
		{"Zeros stay visible", [][]int{{0, 0}, {0, 4}}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkTable(t, tt.name, tt.cells, 3)
			p := conduct.NewTableForTest(tt.name, tt.cells).Publish(3)
			n := 0
			for _, r := range published(p) {
				for _, v := range r {
					if v < 0 {
						n++
					}
				}
			}
			if n != tt.hidden {
				t.Errorf("%d hidden entries, want %d: %v", n, tt.hidden, published(p))
			}
			for _, r := range p.Rows {
				for _, c := range r.Cells {
					if c.Suppressed && c.Primary && c.Text != "<3" {
						t.Errorf("small cell reads %q", c.Text)
					}
				}
			}
		})
	}
	t.Run("Random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for n := 0; n < 3000; n++ {
			R, C := 1+rng.IntN(6), 1+rng.IntN(8)
			cells := make([][]int, R)
			for i := range cells {
				cells[i] = make([]int, C)
				for j := range cells[i] {
					switch rng.IntN(4) {
					case 0:
						cells[i][j] = 0
					case 1:
						cells[i][j] = 1 + rng.IntN(2)
					default:
						cells[i][j] = rng.IntN(40)
					}
				}
			}
			checkTable(t, "random "+strconv.Itoa(n), cells, 2+rng.IntN(4))
		}
	})
}
