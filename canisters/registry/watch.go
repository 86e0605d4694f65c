package registry

import (
	"context"
	"fmt"
	"time"
)

// WatchUpgrade follows upgrade id until it has an outcome, polling
// GetUpgrade every interval (at least 10 ms) and passing each step to
// onStep once, in order (onStep may be nil). It returns the final upgrade,
// or ctx's error.
func (cl *Client) WatchUpgrade(ctx context.Context, id uint64, interval time.Duration, onStep func(UpgradeStep)) (Upgrade, error) {
	interval = max(interval, 10*time.Millisecond)
	seen := 0
	for {
		u, ok, err := cl.GetUpgrade(ctx, id)
		if err != nil {
			return Upgrade{}, err
		}
		if !ok {
			return Upgrade{}, &Error{Kind: NotFound, Message: fmt.Sprintf("no upgrade %d visible to this caller", id)}
		}
		for ; seen < len(u.Steps); seen++ {
			if onStep != nil {
				onStep(u.Steps[seen])
			}
		}
		if u.State.Final() {
			return u, nil
		}
		select {
		case <-ctx.Done():
			return u, ctx.Err()
		case <-time.After(interval):
		}
	}
}
