package gotest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
)

func gatedRelease(v, upgradeFrom string) release {
	return release{version: v, protocol: "gated/1.0.0", upgradeFrom: upgradeFrom, module: canisters.MustWasm("test/gated/canister.wasm")}
}

// awaitState polls the upgrade until it reaches state (failing if it ends
// first).
func awaitState(t testing.TB, a *actor, id uint64, state registry.UpgradeState) registry.Upgrade {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for {
		u, _, err := a.reg.GetUpgrade(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if u.State == state {
			return u
		}
		if u.State.Final() {
			t.Fatalf("upgrade %d ended %s (%s) before reaching %s", id, u.State, u.Reason, state)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("upgrade %d still %s: %v", id, u.State, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestUpgradeInProgress watches an upgrade whose health check waits for
// the test (canisters/test/gated): its steps are readable while it runs,
// and the canister takes no second upgrade, delete, uninstall or
// release_control meanwhile.
func TestUpgradeInProgress(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisherOf("gated")
	p.publish(gatedRelease("1.0.0", ""), gatedRelease("1.0.1", "^1.0.0"), gatedRelease("1.0.2", "^1.0.0"))
	user := w.newActor()
	c := installApp(t, user, "gated", "1.0.0")

	started, err := user.reg.Upgrade(ctx, c.ID, "1.0.1")
	if err != nil {
		t.Fatal(err)
	}
	u := awaitState(t, user, started.ID, registry.Checking)
	if n := len(u.Steps); n != 6 || u.FinishedAt != nil {
		t.Errorf("while checking: %d steps, finished %v", n, u.FinishedAt)
	}
	if info, _, _ := user.reg.GetCanister(ctx, c.ID); info.State != registry.Upgrading || info.Version != "1.0.0" {
		t.Errorf("while upgrading the registry says %+v", info)
	}
	// At once, so that they share replica rounds: every round the gated
	// canister spins through the replica's budget of internal messages.
	refusals := map[string]func() error{
		"a second upgrade": func() error { _, err := user.reg.Upgrade(ctx, c.ID, "1.0.2"); return err },
		"delete":           func() error { return user.reg.Delete(ctx, c.ID) },
		"uninstall":        func() error { _, err := user.reg.Uninstall(ctx, c.ID); return err },
		"release_control":  func() error { return user.reg.ReleaseControl(ctx, c.ID) },
	}
	errs := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for what, call := range refusals {
		wg.Go(func() {
			err := call()
			mu.Lock()
			errs[what] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	for what, err := range errs {
		wantKind(t, what+" while upgrading", err, registry.FailedPrecondition)
	}

	if err := user.agent.Call(c.ID, "open_gate", []any{}, []any{}); err != nil {
		t.Fatal(err)
	}
	if done := awaitUpgrade(t, user, started.ID); done.State != registry.Done {
		t.Fatalf("upgrade ended %s (%s)", done.State, done.Reason)
	}
	if info, _, _ := user.reg.GetCanister(ctx, c.ID); info.State != registry.Installed || info.Version != "1.0.1" {
		t.Errorf("after the upgrade the registry says %+v", info)
	}
	// Now a second one goes through.
	if u := upgrade(t, user, c.ID, "1.0.2"); u.State != registry.Done {
		t.Errorf("the next upgrade ended %s (%s)", u.State, u.Reason)
	}
}
