package gotest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
)

var fleetPolicies = []registry.UpgradePolicy{
	{Kind: registry.Manual}, {Kind: registry.Patch}, {Kind: registry.Minor},
	{Kind: registry.Channel, Channel: "stable"}, {Kind: registry.Channel, Channel: "beta"},
}

// mixedFleet: versions 1.0.0, 2.0.0, 3.0.0 in turn, and every policy for
// each version.
func mixedFleet(i int) (string, registry.UpgradePolicy) {
	return []string{"1.0.0", "2.0.0", "3.0.0"}[i%3], fleetPolicies[(i/3)%len(fleetPolicies)]
}

// admitted is the rollout rule for 3.0.1 (upgrade_from >=2.0.0 <3.0.1, in
// channel stable), written out independently of the registry: would a
// canister on version with policy be upgraded, or counted as manual?
func admitted(version string, policy registry.UpgradePolicy) (upgrade, manual bool) {
	if version == "1.0.0" {
		return false, false // its path to 3.0.1 is closed
	}
	switch policy.Kind {
	case registry.Manual:
		return false, true
	case registry.Patch, registry.Minor:
		return version == "3.0.0", false
	}
	return policy.Channel == "stable", false
}

// TestRolloutFleet is issue 13's first "done when": a fleet of 200 across
// 1.0.0/2.0.0/3.0.0 with mixed policies; a rollout of 3.0.1 upgrades
// exactly those whose policy admits it, leaves the manual ones alone
// (still offered the upgrade) and finishes done.
func TestRolloutFleet(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	roomyQuotas(t, w)
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("2.0.0", "^1.0.0"), personalRelease("3.0.0", ">=1.0.0 <3.0.0"))
	owners := []*actor{w.newActor(), w.newActor(), w.newActor(), w.newActor(), w.newActor()}
	fleet := buildFleet(t, w, owners, 200, mixedFleet)
	p.publish(nextRelease(">=2.0.0 <3.0.1"))
	if _, err := p.dev.reg.SetReleaseChannels(ctx, "personal", "3.0.1", []string{"stable"}); err != nil {
		t.Fatal(err)
	}
	var wantUp, wantManual int
	for _, m := range fleet {
		up, manual := admitted(m.c.Version, m.policy)
		wantUp += btoi(up)
		wantManual += btoi(manual)
	}

	start := time.Now()
	r := startRollout(t, w.operator, registry.NewRollout{App: "personal", Version: "3.0.1", CanaryPercent: 5, BatchSize: 20,
		MaxFailures: registry.FailureLimit{N: 0}})
	if r.State != registry.RolloutCanary || r.Total != uint64(wantUp) || r.Manual != uint64(wantManual) || r.Batches != 1 {
		t.Fatalf("started %+v; want canary with %d targets, %d manual, the canary batch started", r, wantUp, wantManual)
	}
	if want := uint64((wantUp*5 + 99) / 100); r.InProgress != want {
		t.Errorf("canary batch of %d, want ceil(%d × 5%%) = %d", r.InProgress, wantUp, want)
	}
	r = awaitRollout(t, w.operator, r.ID, 5*time.Minute)
	t.Logf("rollout of %d canisters (%d manual) took %v", r.Total, r.Manual, time.Since(start))
	if r.State != registry.RolloutDone || r.Done != r.Total || r.RolledBack+r.Failed+r.Skipped+r.Pending != 0 || r.FinishedAt == nil {
		t.Fatalf("rollout ended %+v", r)
	}
	if want := 1 + (uint64(wantUp)-r.Batches+1+19)/20; r.Batches < 2 || r.Batches > want+1 {
		t.Errorf("%d batches for %d targets (canary + batches of 20)", r.Batches, wantUp)
	}

	next := moduleHash(canisters.MustWasm("test/personal-next/canister.wasm"))
	for i, m := range fleet {
		got, ok, err := m.owner.reg.GetCanister(ctx, m.c.ID)
		if err != nil || !ok {
			t.Fatalf("get_canister %d: %v", i, err)
		}
		up, manual := admitted(m.c.Version, m.policy)
		want := m.c.Version
		if up {
			want = "3.0.1"
		}
		if got.Version != want || got.State != registry.Installed {
			t.Errorf("canister %d (%s, %v): now %s %s, want %s", i, m.c.Version, m.policy, got.Version, got.State, want)
		}
		if up {
			st := status(t, m.owner, m.c.ID)
			if st.Status.Running == nil || st.ModuleHash == nil || !bytes.Equal(*st.ModuleHash, next) {
				t.Errorf("canister %d: running %v, module not 3.0.1's", i, st.Status.Running != nil)
			}
		}
		if manual {
			targets, err := m.owner.reg.UpgradeTargets(ctx, m.c.ID)
			if err != nil || !slices.Contains(targets, "3.0.1") {
				t.Errorf("manual canister %d is not offered 3.0.1: %v %v", i, targets, err)
			}
		}
	}
	list, err := w.operator.reg.ListRollouts(ctx, "personal")
	if err != nil || len(list) != 1 || list[0].ID != r.ID {
		t.Errorf("list_rollouts %v %v", list, err)
	}
	if _, ok, _ := owners[0].reg.GetRollout(ctx, r.ID); ok {
		t.Error("a canister owner reads the rollout; only operators may")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
