package gotest

import (
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestOwnerActions: uninstall keeps the entry without code, delete removes
// canister and entry (not its history), release_control leaves the owner
// the only controller and the registry hands-off.
func TestOwnerActions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("2.0.0", "^1.0.0"))
	user := w.newActor()
	a, b, c := install(t, user, "1.0.0"), install(t, user, "1.0.0"), install(t, user, "1.0.0")

	got, err := user.reg.Uninstall(ctx, a.ID)
	if err != nil || got.State != registry.Uninstalled || got.Version != "" {
		t.Fatalf("uninstall: %+v %v", got, err)
	}
	if st := status(t, user, a.ID); st.ModuleHash != nil {
		t.Errorf("uninstalled canister still has a module")
	}
	_, err = user.reg.Upgrade(ctx, a.ID, "2.0.0")
	wantKind(t, "upgrading an uninstalled canister", err, registry.FailedPrecondition)

	if err := user.reg.Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	var out mgmt.CanisterStatusResult
	if err := user.agent.Call(replicatest.Management, "canister_status", []any{mgmt.CanisterIDArg{CanisterID: b.ID}}, []any{&out}); err == nil {
		t.Errorf("the deleted canister still answers canister_status")
	}
	if _, ok, _ := user.reg.GetCanister(ctx, b.ID); ok {
		t.Errorf("the registry still lists the deleted canister")
	}
	evs, err := user.reg.History(ctx, "canister:"+b.ID.String(), 0, 100)
	if err != nil || len(evs) != 2 || evs[1].Action != "deleted" {
		t.Errorf("history of the deleted canister: %+v %v", evs, err)
	}

	if err := user.reg.ReleaseControl(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if st := status(t, user, c.ID); !sameSet(st.Settings.Controllers, []principal.Principal{user.principal()}) {
		t.Errorf("controllers after release_control: %v", st.Settings.Controllers)
	}
	info, _, _ := user.reg.GetCanister(ctx, c.ID)
	if info.Controlled {
		t.Errorf("the registry still claims control: %+v", info)
	}
	_, err = user.reg.Upgrade(ctx, c.ID, "2.0.0")
	wantKind(t, "upgrading a released canister", err, registry.FailedPrecondition)
	// Delete forgets it but cannot touch it.
	if err := user.reg.Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if st := status(t, user, c.ID); st.ModuleHash == nil {
		t.Errorf("forgetting a released canister removed its code")
	}
	mine, _ := user.reg.MyCanisters(ctx)
	if len(mine) != 1 || !mine[0].ID.Equal(a.ID) {
		t.Errorf("my_canisters %+v", mine)
	}
}
