package integration

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestKill9KeepsAcknowledgedUpdates: every update answered as replied is on
// disk, so SIGKILL right after the last answer loses none of them.
func TestKill9KeepsAcknowledgedUpdates(t *testing.T) {
	dir := t.TempDir()
	p := startReplica(t, dir)
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	a := p.agent(t, id)
	cid := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, cid, canisters.MustWasm("test/counter/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var last idl.Nat
	for i := 0; i < n; i++ {
		if err := a.Call(cid, "inc", nil, []any{&last}); err != nil {
			t.Fatalf("inc %d: %v", i, err)
		}
	}
	if last.BigInt().Uint64() != n {
		t.Fatalf("last inc = %s, want %d", last.BigInt(), n)
	}
	p.kill()

	p2 := startReplica(t, dir)
	a2 := p2.agent(t, id)
	var got idl.Nat
	if err := a2.Query(cid, "get", nil, []any{&got}); err != nil {
		t.Fatalf("get after kill -9: %v", err)
	}
	if got.BigInt().Uint64() != n {
		t.Fatalf("after kill -9 get = %s, want %d", got.BigInt(), n)
	}
	// The controller still controls it: state, modules and keys all came back.
	if err := replicatest.Install(a2, cid, canisters.MustWasm("test/counter/canister.wasm"), nil, replicatest.ModeReinstall); err != nil {
		t.Fatalf("reinstall after restart: %v", err)
	}
}
