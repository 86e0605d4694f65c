package replica_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

func canisterInfo(t *testing.T, a *agent.Agent, ops, id principal.Principal, n *uint64) mgmt.CanisterInfoResult {
	t.Helper()
	var info mgmt.CanisterInfoResult
	if err := a.Call(ops, "info", []any{id, n}, []any{&info}); err != nil {
		t.Fatalf("canister_info: %v", err)
	}
	return info
}

// TestCanisterInfoFromACanister: a canister reads another's history —
// creation, install, upgrade, controller change, with module hashes and
// origins — as canister_info reports it, also after a restart; users may
// not call it.
func TestCanisterInfoFromACanister(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	user, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, user)
	ops := installOps(t, a)
	id := installCounter(t, a)
	if err := replicatest.Install(a, id, counter2Wasm, nil, replicatest.ModeUpgradeKeep); err != nil {
		t.Fatal(err)
	}
	setControllers(t, a, id, a.Sender(), ops)

	twenty := uint64(20)
	info := canisterInfo(t, a, ops, id, &twenty)
	check := func(info mgmt.CanisterInfoResult) {
		t.Helper()
		h1, h2 := sha256.Sum256(counterWasm), sha256.Sum256(counter2Wasm)
		if info.TotalNumChanges != 4 || len(info.RecentChanges) != 4 {
			t.Fatalf("%d of %d changes, want 4 of 4: %+v", len(info.RecentChanges), info.TotalNumChanges, info.RecentChanges)
		}
		ch := info.RecentChanges
		if ch[0].Details.Creation == nil || ch[1].Details.CodeDeployment == nil || ch[1].Details.CodeDeployment.Mode.Install == nil ||
			!bytes.Equal(ch[1].Details.CodeDeployment.ModuleHash, h1[:]) ||
			ch[2].Details.CodeDeployment == nil || ch[2].Details.CodeDeployment.Mode.Upgrade == nil ||
			!bytes.Equal(ch[2].Details.CodeDeployment.ModuleHash, h2[:]) ||
			ch[3].Details.ControllersChange == nil || len(ch[3].Details.ControllersChange.Controllers) != 2 {
			t.Fatalf("history %+v: want creation, install of %x, upgrade to %x, controllers change", ch, h1, h2)
		}
		for i, c := range ch {
			if c.Origin.FromUser == nil || !c.Origin.FromUser.UserID.Equal(a.Sender()) || c.TimestampNanos == 0 ||
				(i > 0 && c.CanisterVersion <= ch[i-1].CanisterVersion) {
				t.Fatalf("change %d: %+v, want from user %s at a later version", i, c, a.Sender())
			}
		}
		if info.ModuleHash == nil || !bytes.Equal(*info.ModuleHash, h2[:]) || len(info.Controllers) != 2 {
			t.Fatalf("module %x controllers %v", info.ModuleHash, info.Controllers)
		}
	}
	check(info)
	if none := canisterInfo(t, a, ops, id, nil); len(none.RecentChanges) != 0 || none.TotalNumChanges != 4 {
		t.Fatalf("no num_requested_changes: %d changes of %d, want none of 4", len(none.RecentChanges), none.TotalNumChanges)
	}
	two := uint64(2)
	if last := canisterInfo(t, a, ops, id, &two); len(last.RecentChanges) != 2 || last.RecentChanges[1].Details.ControllersChange == nil {
		t.Fatalf("the 2 newest changes: %+v", last.RecentChanges)
	}

	err := a.CallWithEffectiveCanisterID(replicatest.Management, id, "canister_info",
		[]any{mgmt.CanisterInfoArgs{CanisterID: id}}, []any{&mgmt.CanisterInfoResult{}})
	if err == nil || !strings.Contains(err.Error(), "Only canisters can call ic00 method canister_info") {
		t.Fatalf("canister_info by ingress: %v", err)
	}

	r.Stop()
	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	check(canisterInfo(t, r2.Agent(t, user), ops, id, &twenty))
}
