package gotest

import (
	"fmt"
	"testing"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestRegistryUpgradeKeepsEverything upgrades registry 1.0.0 to 1.0.1
// (canisters/test/registry-next: the same sources answering
// registry/1.0.1) and finds apps, releases, roles, quotas, installs,
// upgrades and history as they were, and the registry working on.
func TestRegistryUpgradeKeepsEverything(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("2.0.0", "^1.0.0"), personalRelease("3.0.0", ">=1.0.0 <3.0.0"))
	mustRelease(t, "deprecate", registry.Deprecated)(p.dev.reg.DeprecateRelease(ctx, "personal", "2.0.0"))
	user := w.newActor()
	c := install(t, user, "1.0.0")
	putV1(t, user, c.ID, 3)
	// 2.0.0 is deprecated: still accepted, no longer offered.
	if got, err := user.reg.UpgradeTargets(ctx, c.ID); err != nil || fmt.Sprint(got) != "[3.0.0]" {
		t.Fatalf("upgrade targets with 2.0.0 deprecated = %v, %v; want [3.0.0]", got, err)
	}
	up := upgrade(t, user, c.ID, "2.0.0")
	q := registry.Quotas{CanistersPerUser: 7, CreationsPerUserDay: 8, CreationsPerHour: 9, CyclesPerCanister: 2_000_000_000_000}
	if err := w.operator.reg.SetQuotas(ctx, q); err != nil {
		t.Fatal(err)
	}
	subjects := []string{"app:personal", "release:personal/1.0.0", "release:personal/2.0.0", "canister:" + c.ID.String(), "registry",
		"role:" + p.dev.principal().String()}
	snapshot := func() string {
		u, ok, err := user.reg.GetUpgrade(ctx, up.ID)
		if err != nil || !ok {
			t.Fatalf("get_upgrade: %v %v", ok, err)
		}
		roles, err := p.dev.reg.MyRoles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fingerprint(t, w, subjects, user) + fmt.Sprintf("%+v\n%v\n", u, roles)
	}
	before := snapshot()

	op := w.operator.agent
	for _, step := range []string{"stop_canister", "upgrade", "start_canister"} {
		var err error
		if step == "upgrade" {
			err = registry.InstallWasm(ctx, op, w.id, canisters.MustWasm("test/registry-next/canister.wasm"), registry.Init{}, replicatest.ModeUpgradeKeep)
		} else {
			err = op.Call(replicatest.Management, step, []any{mgmt.CanisterIDArg{CanisterID: w.id}}, []any{})
		}
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	if v, err := user.reg.Protocol(ctx); err != nil || v != "registry/1.0.1" {
		t.Fatalf("protocol after the upgrade %q %v", v, err)
	}
	if after := snapshot(); after != before {
		t.Fatalf("the registry's upgrade lost state:\nbefore %s\nafter  %s", before, after)
	}

	// And it goes on working: the canister upgrades again, a new user installs.
	if u := upgrade(t, user, c.ID, "3.0.0"); u.State != registry.Done || u.ID != up.ID+1 {
		t.Errorf("upgrade after the registry's own: %+v", u)
	}
	wantDocumentsV3(t, user, c.ID, 3)
	if c2 := install(t, w.newActor(), ""); c2.Version != "3.0.0" {
		t.Errorf("the newest released is %s, want 3.0.0", c2.Version)
	}
}
