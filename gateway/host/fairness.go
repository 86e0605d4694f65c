package host

import (
	"errors"
	"fmt"
	"sync"
)

// DefaultMaxInFlightPerCanister bounds the requests one canister has in
// flight through one adapter, so that one canister — hostile, slow, or just
// popular — cannot take an adapter's capacity from the others.
const DefaultMaxInFlightPerCanister = 32

// ErrCanisterBusy is the refusal of a request past its canister's share.
var ErrCanisterBusy = errors.New("too many requests in flight for this canister")

// fairShare counts requests in flight per canister.
type fairShare struct {
	limit int
	mu    sync.Mutex
	n     map[string]int
}

func newFairShare(limit int) *fairShare {
	if limit <= 0 {
		limit = DefaultMaxInFlightPerCanister
	}
	return &fairShare{limit: limit, n: map[string]int{}}
}

// acquire takes a slot for canister, or says why it cannot.
func (f *fairShare) acquire(canister, adapter string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[canister] >= f.limit {
		return fmt.Errorf("canister %s has %d requests in flight through adapter %s, its share; retry with backoff: %w",
			canister, f.limit, adapter, ErrCanisterBusy)
	}
	f.n[canister]++
	return nil
}

func (f *fairShare) release(canister string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[canister]--; f.n[canister] <= 0 {
		delete(f.n, canister)
	}
}
