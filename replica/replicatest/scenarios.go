package replicatest

import (
	"fmt"
	"math/big"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica/mgmt"
)

// FactoryScenario is the reference scenario for inter-canister
// calls, run the same way against an in-process replica and one in Docker:
// a factory canister creates and installs a child through the management
// canister, paying with its own cycles, then calls it, upgrades it, and
// stops and starts it. It returns a readable error on the first deviation.
func FactoryScenario(a *agent.Agent) error {
	factory, err := CreateWith(a, 20_000_000_000_000)
	if err != nil {
		return err
	}
	if err := Install(a, factory, canisters.MustWasm("test/factory/canister.wasm"), nil, ModeInstall); err != nil {
		return fmt.Errorf("install factory: %w", err)
	}
	before, err := natQuery(a, factory, "balance")
	if err != nil {
		return err
	}
	childWasm := canisters.MustWasm("test/child/canister.wasm")
	const childCycles = 2_000_000_000_000
	var child principal.Principal
	if err := a.Call(factory, "spawn", []any{childWasm, idl.NewNat(uint64(childCycles))}, []any{&child}); err != nil {
		return fmt.Errorf("factory.spawn: %w", err)
	}
	after, err := natQuery(a, factory, "balance")
	if err != nil {
		return err
	}
	if paid := new(big.Int).Sub(before, after); paid.Cmp(big.NewInt(childCycles)) < 0 {
		return fmt.Errorf("factory paid %s cycles for a child given %d", paid, childCycles)
	}
	childBalance, err := natQuery(a, child, "balance")
	if err != nil {
		return fmt.Errorf("child.balance: %w", err)
	}
	if childBalance.Sign() <= 0 || childBalance.Cmp(big.NewInt(childCycles)) >= 0 {
		return fmt.Errorf("child balance %s: want the %d attached less the creation fee", childBalance, childCycles)
	}
	var owner principal.Principal
	if err := a.Query(child, "owner", nil, []any{&owner}); err != nil || owner.String() != a.Sender().String() {
		return fmt.Errorf("child.owner = %s, %v; want %s", owner, err, a.Sender())
	}
	ctls, err := a.GetCanisterControllers(child)
	if err != nil || len(ctls) != 1 || ctls[0].String() != factory.String() {
		return fmt.Errorf("child controllers = %v, %v; want [%s]", ctls, err, factory)
	}
	for i, want := range []uint64{5, 12} {
		var got idl.Nat
		if err := a.Call(factory, "call_child", []any{child, idl.NewNat(uint64([]int{5, 7}[i]))}, []any{&got}); err != nil {
			return fmt.Errorf("factory.call_child: %w", err)
		}
		if got.BigInt().Uint64() != want {
			return fmt.Errorf("call_child #%d = %s, want %d", i+1, got.BigInt(), want)
		}
	}
	if err := a.Call(factory, "upgrade_child", []any{child, childWasm}, nil); err != nil {
		return fmt.Errorf("factory.upgrade_child: %w", err)
	}
	if n, err := natQuery(a, child, "get"); err != nil || n.Uint64() != 12 {
		return fmt.Errorf("child.get after upgrade = %v, %v; want 12", n, err)
	}
	if err := a.Call(factory, "stop_child", []any{child}, nil); err != nil {
		return fmt.Errorf("factory.stop_child: %w", err)
	}
	var got idl.Nat
	if err := a.Call(factory, "call_child", []any{child, idl.NewNat(uint64(1))}, []any{&got}); err == nil {
		return fmt.Errorf("call_child on a stopped child answered %s, want a reject", got.BigInt())
	}
	if err := a.Call(factory, "start_child", []any{child}, nil); err != nil {
		return fmt.Errorf("factory.start_child: %w", err)
	}
	if err := a.Call(factory, "call_child", []any{child, idl.NewNat(uint64(1))}, []any{&got}); err != nil || got.BigInt().Uint64() != 13 {
		return fmt.Errorf("call_child after start = %v, %v; want 13", got.BigInt(), err)
	}
	return nil
}

// CreateWith creates a canister holding the given cycles.
func CreateWith(a *agent.Agent, cycles uint64) (principal.Principal, error) {
	amount := idl.NewNat(cycles)
	var out mgmt.CanisterIDResult
	err := a.Call(Management, "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{Amount: &amount}}, []any{&out})
	if err != nil {
		return principal.Principal{}, fmt.Errorf("provisional_create_canister_with_cycles: %w", err)
	}
	return out.CanisterID, nil
}

func natQuery(a *agent.Agent, id principal.Principal, method string) (*big.Int, error) {
	var n idl.Nat
	if err := a.Query(id, method, nil, []any{&n}); err != nil {
		return nil, fmt.Errorf("%s.%s: %w", id, method, err)
	}
	return n.BigInt(), nil
}
