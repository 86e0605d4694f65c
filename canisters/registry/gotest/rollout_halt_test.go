package gotest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
)

// TestRolloutHaltsAfterCanary is issue 13's second "done when": a rollout
// of a release that fails its health check (canisters/test/unhealthy)
// halts after the canary, every touched canister rolled back and serving
// the notes written before, and no other canister touched.
func TestRolloutHaltsAfterCanary(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	roomyQuotas(t, w)
	p := w.newPublisher()
	p.publish(personalRelease("3.0.0", ""))
	owners := []*actor{w.newActor(), w.newActor()}
	fleet := buildFleet(t, w, owners, 20, func(int) (string, registry.UpgradePolicy) {
		return "3.0.0", registry.UpgradePolicy{Kind: registry.Patch}
	})
	for _, m := range fleet {
		putV3(t, m.owner, m.c.ID, 2)
	}
	p.publish(unhealthyRelease())

	// canary 10% of 20 = 2; no failure is allowed.
	r := startRollout(t, w.operator, registry.NewRollout{App: "personal", Version: "3.0.1", CanaryPercent: 10, BatchSize: 5,
		MaxFailures: registry.FailureLimit{N: 0}})
	r = awaitRollout(t, w.operator, r.ID, 2*time.Minute)
	if r.State != registry.RolloutHalted || r.Batches != 1 || r.RolledBack != 2 || r.Done != 0 || r.Pending != 18 {
		t.Fatalf("rollout ended %+v; want halted after a canary of 2, both rolled back", r)
	}
	if !strings.Contains(r.Reason, "2 of 2") || !strings.Contains(r.Reason, "max_failures 0") {
		t.Errorf("halt reason %q", r.Reason)
	}
	touched := map[string]bool{}
	for _, f := range r.Failures {
		touched[f.CanisterID.String()] = true
		if f.State != registry.RolledBack || !strings.Contains(f.Reason, "personal/3.0.0-unhealthy") {
			t.Errorf("failure %+v", f)
		}
	}
	if len(touched) != 2 {
		t.Fatalf("failures name %d canisters, want the 2 of the canary", len(touched))
	}
	v300 := moduleHash(personal.MustWasm("3.0.0"))
	for i, m := range fleet {
		got, _, err := m.owner.reg.GetCanister(ctx, m.c.ID)
		if err != nil || got.Version != "3.0.0" || got.State != registry.Installed {
			t.Errorf("canister %d: %+v %v", i, got, err)
		}
		if upgraded := got.LastUpgrade != nil; upgraded != touched[m.c.ID.String()] {
			t.Errorf("canister %d: has an upgrade %v, in the canary %v", i, upgraded, touched[m.c.ID.String()])
		}
		st := status(t, m.owner, m.c.ID)
		if st.Status.Running == nil || !bytes.Equal(*st.ModuleHash, v300) {
			t.Errorf("canister %d: running %v, module not 3.0.0's", i, st.Status.Running != nil)
		}
		if got := protocolOf(t, m.owner, m.c.ID); got != "personal/3.0.0" {
			t.Errorf("canister %d answers %q", i, got)
		}
		wantDocumentsV3(t, m.owner, m.c.ID, 2)
	}
	// A halted rollout is final: a new one of the app may start, the halted
	// one cannot be resumed.
	_, err := w.operator.reg.ResumeRollout(ctx, r.ID)
	wantKind(t, "resume a halted rollout", err, registry.FailedPrecondition)
}
