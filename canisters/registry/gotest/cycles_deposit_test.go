package gotest

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestCyclesDepositCredit: a canister (a cycles wallet) attaches cycles to
// deposit_credit and the owner it names is credited with all of them; a
// deposit without cycles is refused and the wallet keeps everything. An
// owner's credit history is theirs and the operators' only.
func TestCyclesDepositCredit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	wallet, err := replicatest.CreateWith(w.operator.agent, 10_000_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if err := replicatest.Install(w.operator.agent, wallet, canisters.MustWasm("test/wallet/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	bob := w.newActor()
	deposit := func(amount uint64) uint64 {
		t.Helper()
		owner := bob.principal()
		var refunded idl.Nat
		if err := w.operator.agent.Call(wallet, "deposit", []any{w.id, &owner, idl.NewNat(amount)}, []any{&refunded}); err != nil {
			t.Fatalf("deposit %d through the wallet: %v", amount, err)
		}
		return refunded.BigInt().Uint64()
	}
	const amount = 2_000_000_000_000
	if refunded := deposit(amount); refunded != 0 {
		t.Fatalf("the registry refunded %d of %d", refunded, uint64(amount))
	}
	c, err := bob.reg.MyCredit(ctx)
	if err != nil || c.Balance != amount || c.Charged != 0 {
		t.Fatalf("bob's credit after a deposit of %d: %+v, %v", uint64(amount), c, err)
	}
	if refunded := deposit(0); refunded != 0 {
		t.Fatalf("refunded %d of nothing", refunded)
	}
	if c, _ := bob.reg.MyCredit(ctx); c.Balance != amount {
		t.Fatalf("a deposit of nothing changed the credit to %d", c.Balance)
	}
	rc, err := w.operator.reg.RegistryCycles(ctx)
	if err != nil || rc.CreditOutstanding != amount {
		t.Fatalf("registry_cycles %+v, %v; want %d outstanding", rc, err, uint64(amount))
	}
	subject := "credit:" + bob.principal().String()
	if n := countAction(eventsOf(t, bob, subject), "credit_deposited"); n != 1 {
		t.Fatalf("bob sees %d credit_deposited events, want 1", n)
	}
	if ev := eventsOf(t, w.newActor(), subject); len(ev) != 0 {
		t.Fatalf("a stranger reads bob's credit history: %+v", ev)
	}
}
