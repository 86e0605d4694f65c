package gotest

import (
	"testing"
	"time"

	"github.com/canistry/canistry/canisters/registry"
)

// controlWorld: 12 canisters of app gated (canisters/test/gated: its
// health check answers only once its gate is open) on 1.0.0 that take
// patches, and 1.0.1 released. A rollout's batch stays in its health
// checks until openGates, so that a test acts while one is under way.
func controlWorld(t *testing.T) (*world, *publisher, []member) {
	w := newWorld(t, registry.Init{})
	roomyQuotas(t, w)
	p := w.newPublisherOf("gated")
	p.publish(gatedRelease("1.0.0", ""))
	owner := w.newActor()
	fleet := make([]member, 12)
	patch := registry.UpgradePolicy{Kind: registry.Patch}
	for i := range fleet {
		c := installApp(t, owner, "gated", "1.0.0")
		if err := owner.reg.SetPolicy(t.Context(), c.ID, patch); err != nil {
			t.Fatal(err)
		}
		fleet[i] = member{owner: owner, c: c, policy: patch}
	}
	p.publish(gatedRelease("1.0.1", "=1.0.0"))
	return w, p, fleet
}

// openGates lets every canister's health check answer (the gate is kept
// across upgrades).
func openGates(t *testing.T, fleet []member) {
	t.Helper()
	for _, m := range fleet {
		if err := m.owner.agent.Call(m.c.ID, "open_gate", []any{}, []any{}); err != nil {
			t.Fatalf("open_gate %s: %v", m.c.ID, err)
		}
	}
}

// waitIdle waits until nothing of rollout id is in flight.
func waitIdle(t *testing.T, op *actor, id uint64) registry.Rollout {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		r, ok, err := op.reg.GetRollout(t.Context(), id)
		if err != nil || !ok {
			t.Fatalf("get_rollout %d: %v", id, err)
		}
		if r.InProgress == 0 {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("rollout %d still has upgrades in flight: %+v", id, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRolloutPauseResume: paused during its canary, a rollout finishes the
// batch under way and starts no other until resumed; then it finishes.
func TestRolloutPauseResume(t *testing.T) {
	t.Parallel()
	w, p, fleet := controlWorld(t)
	ctx := t.Context()
	r := startRollout(t, w.operator, registry.NewRollout{App: "gated", Version: "1.0.1", CanaryPercent: 25, BatchSize: 4,
		MaxFailures: registry.FailureLimit{N: 10, Percent: true}})
	paused, err := w.operator.reg.PauseRollout(ctx, r.ID)
	if err != nil || paused.State != registry.RolloutPaused {
		t.Fatalf("pause: %+v %v", paused, err)
	}
	openGates(t, fleet)
	// The next batch would start in the very message that counts the last
	// canary upgrade: one batch once idle means the pause held.
	idle := waitIdle(t, w.operator, r.ID)
	if idle.State != registry.RolloutPaused || idle.Batches != 1 || idle.Done != 3 || idle.Pending != 9 {
		t.Fatalf("paused rollout once idle: %+v", idle)
	}
	_, err = w.operator.reg.PauseRollout(ctx, r.ID)
	wantKind(t, "pause twice", err, registry.FailedPrecondition)
	// An upload hashes its chunk in the registry's own chunk store; while a
	// rollout keeps its release there, that store is not cleared, so the
	// batches after the resume still install from it.
	p.upload(gatedRelease("1.0.2", "=1.0.1"))
	resumed, err := w.operator.reg.ResumeRollout(ctx, r.ID)
	if err != nil || resumed.State != registry.RolloutRunning || resumed.Batches != 2 {
		t.Fatalf("resume: %+v %v", resumed, err)
	}
	done := awaitRollout(t, w.operator, r.ID, 2*time.Minute)
	if done.State != registry.RolloutDone || done.Done != 12 || done.Batches != 4 {
		t.Fatalf("after resume: %+v", done)
	}
	for _, m := range fleet {
		if got, _, _ := m.owner.reg.GetCanister(ctx, m.c.ID); got.Version != "1.0.1" {
			t.Errorf("%s is on %s", m.c.ID, got.Version)
		}
	}
}

// TestRolloutAbort: aborted, a rollout starts no new upgrade; the canary
// under way finishes and is counted; the rest stay on 1.0.0.
func TestRolloutAbort(t *testing.T) {
	t.Parallel()
	w, _, fleet := controlWorld(t)
	ctx := t.Context()
	r := startRollout(t, w.operator, registry.NewRollout{App: "gated", Version: "1.0.1", CanaryPercent: 10, BatchSize: 4,
		MaxFailures: registry.FailureLimit{N: 1}})
	aborted, err := w.operator.reg.AbortRollout(ctx, r.ID)
	if err != nil || aborted.State != registry.RolloutAborted || aborted.FinishedAt == nil {
		t.Fatalf("abort: %+v %v", aborted, err)
	}
	openGates(t, fleet)
	end := awaitRollout(t, w.operator, r.ID, time.Minute)
	if end.State != registry.RolloutAborted || end.Batches != 1 || end.Done != 2 || end.Pending != 10 {
		t.Fatalf("aborted rollout at the end: %+v", end)
	}
	upgraded := 0
	for _, m := range fleet {
		got, _, _ := m.owner.reg.GetCanister(ctx, m.c.ID)
		if got.Version == "1.0.1" {
			upgraded++
		}
	}
	if upgraded != 2 {
		t.Errorf("%d canisters upgraded, want the canary's 2", upgraded)
	}
	_, err = w.operator.reg.AbortRollout(ctx, r.ID)
	wantKind(t, "abort twice", err, registry.FailedPrecondition)
	// The app is free again: a new rollout takes the rest.
	again := startRollout(t, w.operator, registry.NewRollout{App: "gated", Version: "1.0.1", BatchSize: 100,
		MaxFailures: registry.FailureLimit{N: 0}})
	if again.Total != 10 || again.State != registry.RolloutRunning {
		t.Errorf("second rollout %+v", again)
	}
	if end := awaitRollout(t, w.operator, again.ID, time.Minute); end.State != registry.RolloutDone || end.Done != 10 {
		t.Errorf("second rollout ended %+v", end)
	}
}

// TestRolloutRefusals: only operators; bounded arguments; a released
// version that exists; one live rollout per app.
func TestRolloutRefusals(t *testing.T) {
	t.Parallel()
	w, p, fleet := controlWorld(t)
	ctx := t.Context()
	ok := registry.NewRollout{App: "gated", Version: "1.0.1", CanaryPercent: 50, BatchSize: 1, MaxFailures: registry.FailureLimit{N: 1}}
	bad := func(change func(*registry.NewRollout)) registry.NewRollout {
		n := ok
		change(&n)
		return n
	}
	for _, c := range []struct {
		what string
		n    registry.NewRollout
		kind registry.Kind
	}{
		{"canary 101%", bad(func(n *registry.NewRollout) { n.CanaryPercent = 101 }), registry.InvalidArgument},
		{"batch 0", bad(func(n *registry.NewRollout) { n.BatchSize = 0 }), registry.InvalidArgument},
		{"batch 101", bad(func(n *registry.NewRollout) { n.BatchSize = 101 }), registry.InvalidArgument},
		{"max_failures 101%", bad(func(n *registry.NewRollout) { n.MaxFailures = registry.FailureLimit{N: 101, Percent: true} }), registry.InvalidArgument},
		{"a bad app id", bad(func(n *registry.NewRollout) { n.App = "Personal!" }), registry.InvalidArgument},
		{"an unknown version", bad(func(n *registry.NewRollout) { n.Version = "1.0.9" }), registry.NotFound},
		{"an unknown app", bad(func(n *registry.NewRollout) { n.App = "nope" }), registry.NotFound},
	} {
		_, err := w.operator.reg.StartRollout(ctx, c.n)
		wantKind(t, c.what, err, c.kind)
	}
	// A draft is no target.
	p.upload(gatedRelease("1.0.2", "=1.0.0"))
	_, err := w.operator.reg.StartRollout(ctx, bad(func(n *registry.NewRollout) { n.Version = "1.0.2" }))
	wantKind(t, "a draft", err, registry.FailedPrecondition)

	// Roles: a developer is refused by the registry, a user without a role
	// already by its inspect (an IC reject, not a registry refusal).
	_, err = p.dev.reg.StartRollout(ctx, ok)
	wantKind(t, "a developer starts a rollout", err, registry.PermissionDenied)
	if _, err := w.newActor().reg.StartRollout(ctx, ok); err == nil || registry.IsKind(err, registry.PermissionDenied) {
		t.Errorf("a user without a role: %v; want the inspect's reject", err)
	}

	r := startRollout(t, w.operator, ok)
	if _, err := w.operator.reg.PauseRollout(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.operator.reg.StartRollout(ctx, ok)
	wantKind(t, "a second rollout of the app while one is paused", err, registry.FailedPrecondition)
	for what, call := range map[string]func() error{
		"pause":  func() error { _, err := p.dev.reg.PauseRollout(ctx, r.ID); return err },
		"resume": func() error { _, err := p.dev.reg.ResumeRollout(ctx, r.ID); return err },
		"abort":  func() error { _, err := p.dev.reg.AbortRollout(ctx, r.ID); return err },
	} {
		wantKind(t, "a developer's "+what, call(), registry.PermissionDenied)
	}
	if _, ok, _ := p.dev.reg.GetRollout(ctx, r.ID); ok {
		t.Error("a developer reads a rollout")
	}
	if list, _ := p.dev.reg.ListRollouts(ctx, ""); len(list) != 0 {
		t.Errorf("a developer lists %d rollouts", len(list))
	}
	_, err = w.operator.reg.ResumeRollout(ctx, 999)
	wantKind(t, "an unknown rollout", err, registry.NotFound)
	if _, err := w.operator.reg.AbortRollout(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	openGates(t, fleet)
	awaitRollout(t, w.operator, r.ID, time.Minute)
}
