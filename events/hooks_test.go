package events

import "context"

// StatsFromEvents is Stats computed from the events themselves, never from
// the events_daily rollup: tests hold the two to the same numbers.
func StatsFromEvents(s *Service, ctx context.Context, mission string, q StatsRequest) ([]StatsRow, error) {
	return s.stats(ctx, mission, q, false)
}
