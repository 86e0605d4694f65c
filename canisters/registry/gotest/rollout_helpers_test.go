package gotest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
)

// nextRelease is personal 3.0.0's code answering "personal/3.0.1"
// (canisters/test/personal-next), released as 3.0.1: a healthy patch.
func nextRelease(upgradeFrom string) release {
	return release{version: "3.0.1", protocol: "personal/3.0.1", upgradeFrom: upgradeFrom,
		module: canisters.MustWasm("test/personal-next/canister.wasm")}
}

// roomyQuotas lets a few users own a whole fleet.
func roomyQuotas(t testing.TB, w *world) {
	t.Helper()
	q := registry.Quotas{CanistersPerUser: 1 << 20, CreationsPerUserDay: 1 << 20, CreationsPerHour: 1 << 20, CyclesPerCanister: 1_000_000_000_000}
	if err := w.operator.reg.SetQuotas(t.Context(), q); err != nil {
		t.Fatal(err)
	}
}

// member is one canister of a test fleet with its owner and policy.
type member struct {
	owner  *actor
	c      registry.Canister
	policy registry.UpgradePolicy
}

// buildFleet installs n canisters through the registry, spec(i) naming the
// version and policy of the i-th, among owners (one canister per owner in
// turn), workers at a time.
func buildFleet(t testing.TB, w *world, owners []*actor, n int, spec func(i int) (string, registry.UpgradePolicy)) []member {
	t.Helper()
	fleet := make([]member, n)
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, n)
	for range 4 {
		wg.Go(func() {
			for i := range work {
				version, policy := spec(i)
				owner := owners[i%len(owners)]
				c, err := owner.reg.Install(t.Context(), "personal", version)
				if err == nil && policy.Kind != registry.Manual {
					err = owner.reg.SetPolicy(t.Context(), c.ID, policy)
				}
				if err != nil {
					errs <- err
					continue
				}
				fleet[i] = member{owner: owner, c: c, policy: policy}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("build the fleet: %v", err)
	}
	return fleet
}

// awaitRollout follows rollout id until it is final and nothing of it is
// in flight, checking on the way that its counters always add up.
func awaitRollout(t testing.TB, op *actor, id uint64, within time.Duration) registry.Rollout {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	var bad []registry.Rollout
	r, err := op.reg.WatchRollout(ctx, id, 50*time.Millisecond, func(r registry.Rollout) {
		if !countersAddUp(r) {
			bad = append(bad, r)
		}
	})
	if err != nil {
		t.Fatalf("watch rollout %d: %v (last %+v)", id, err, r)
	}
	if len(bad) > 0 {
		t.Fatalf("rollout counters do not add up: %+v", bad[0])
	}
	return r
}

// countersAddUp: every target is pending, in progress, or has one outcome.
func countersAddUp(r registry.Rollout) bool {
	return r.Pending+r.InProgress+r.Done+r.RolledBack+r.Failed+r.Skipped == r.Total
}

func startRollout(t testing.TB, op *actor, n registry.NewRollout) registry.Rollout {
	t.Helper()
	r, err := op.reg.StartRollout(t.Context(), n)
	if err != nil {
		t.Fatalf("start rollout %+v: %v", n, err)
	}
	return r
}
