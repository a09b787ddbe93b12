package conduct

import "context"

// NewTableForTest returns a count table of the given cells, rows r0, r1...
// and columns c0, c1...
func NewTableForTest(key string, cells [][]int) *Table {
	var cols []string
	if len(cells) > 0 {
		for j := range cells[0] {
			cols = append(cols, "c"+string(rune('0'+j)))
		}
	}
	t := newTable(key, key, cols)
	for i, row := range cells {
		label := "r" + string(rune('a'+i))
		t.add(label, 0, 0)
		for j, v := range row {
			t.add(label, j, v)
		}
	}
	return t
}

// UnsuppressedStatsForTest returns the statistics with threshold 1: every
// count as it is (the fidelity test compares them with the publisher's).
func UnsuppressedStatsForTest(s *Service, ctx context.Context, q StatsQuery) (*Statistics, error) {
	saved := s.opts.Threshold
	s.opts.Threshold = 1
	defer func() { s.opts.Threshold = saved }()
	return s.Stats(ctx, q)
}
