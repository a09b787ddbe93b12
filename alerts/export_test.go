package alerts

import (
	"context"
	"time"
)

// RunScheduled runs one tick of Schedule, for the black-box tests.
func RunScheduled(s *Service, ctx context.Context, every time.Duration) { s.runScheduled(ctx, every) }
