package replica_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

func TestFactoryCreatesAndCallsChildren(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	if err := replicatest.FactoryScenario(r.Agent(t, nil)); err != nil {
		t.Fatal(err)
	}
}

func TestPingPongAndTrappingCallee(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	wasm := canisters.MustWasm("test/pingpong/canister.wasm")
	var ids [2]principal.Principal
	for i := range ids {
		ids[i] = replicatest.CreateCanister(t, a)
		if err := replicatest.Install(a, ids[i], wasm, nil, replicatest.ModeInstall); err != nil {
			t.Fatalf("install pingpong: %v", err)
		}
	}
	var n idl.Nat
	if err := a.Call(ids[0], "ping", []any{ids[1], idl.NewNat(uint64(6))}, []any{&n}); err != nil || n.BigInt().Uint64() != 6 {
		t.Fatalf("ping(6) = %v, %v", n.BigInt(), err)
	}
	// 7 executions in all: 4 pings on the first, 3 pongs on the second.
	hits := func(id principal.Principal) uint64 {
		var h idl.Nat
		if err := a.Query(id, "hits", nil, []any{&h}); err != nil {
			t.Fatal(err)
		}
		return h.BigInt().Uint64()
	}
	if h0, h1 := hits(ids[0]), hits(ids[1]); h0 != 4 || h1 != 3 {
		t.Fatalf("hits = %d, %d; want 4, 3", h0, h1)
	}
	var last *principal.Principal
	if err := a.Query(ids[1], "last_caller", nil, []any{&last}); err != nil || last == nil || last.String() != ids[0].String() {
		t.Fatalf("last_caller = %v, %v; want %s", last, err, ids[0])
	}

	var msg string
	if err := a.Call(ids[0], "call_boom", []any{ids[1]}, []any{&msg}); err != nil {
		t.Fatalf("call_boom: %v", err)
	}
	if !strings.Contains(msg, "trapped on purpose") {
		t.Fatalf("call_boom reject message = %q", msg)
	}
	if h1 := hits(ids[1]); h1 != 3 {
		t.Fatalf("after the callee trapped, its hits = %d, want 3 (rolled back)", h1)
	}
}

func TestCallToUnknownCanisterIsRejected(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, canisters.MustWasm("test/pingpong/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	var msg string
	ghost := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	if err := a.Call(id, "call_boom", []any{ghost}, []any{&msg}); err != nil {
		t.Fatalf("call_boom: %v", err)
	}
	if !strings.Contains(msg, "not found") {
		t.Fatalf("reject message for an unknown callee = %q", msg)
	}
}

func TestRecurringTimerAdvancesCounter(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	ticker := installTicker(t, a)
	if err := a.Call(ticker, "start", []any{idl.NewNat(uint64(50 * time.Millisecond))}, nil); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := a.Call(ticker, "once", []any{idl.NewNat(uint64(20 * time.Millisecond))}, nil); err != nil {
		t.Fatalf("once: %v", err)
	}
	if !testwait.Until(20*time.Second, func() bool { return ticks(t, a, ticker) >= 5 }) {
		t.Fatalf("ticks = %d after 20s of a 50ms recurring timer", ticks(t, a, ticker))
	}
	var fired bool
	if err := a.Query(ticker, "fired", nil, []any{&fired}); err != nil || !fired {
		t.Fatalf("one-shot timer fired = %v, %v", fired, err)
	}
	if err := a.Call(ticker, "stop", nil, nil); err != nil {
		t.Fatalf("stop: %v", err)
	}
	stopped := ticks(t, a, ticker)
	// No tick may follow the stop. The witness is a second ticker started
	// after it with the same period: the replica fires every due timer of
	// a round together, so once the witness has ticked three times, rounds
	// that fired timers have run at least two periods after the stop, and
	// a live timer of the stopped ticker would have been due in them.
	witness := installTicker(t, a)
	if err := a.Call(witness, "start", []any{idl.NewNat(uint64(50 * time.Millisecond))}, nil); err != nil {
		t.Fatalf("start the witness: %v", err)
	}
	testwait.For(t, 20*time.Second, "the witness ticker ticks three times", func() bool { return ticks(t, a, witness) >= 3 })
	if got := ticks(t, a, ticker); got != stopped {
		t.Fatalf("ticks went on after stop: %d → %d", stopped, got)
	}
}

// installTicker creates a canister running test/ticker.
func installTicker(t *testing.T, a *agent.Agent) principal.Principal {
	t.Helper()
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, canisters.MustWasm("test/ticker/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	return id
}

// ticks is the ticker's count.
func ticks(t *testing.T, a *agent.Agent, id principal.Principal) uint64 {
	t.Helper()
	var n idl.Nat
	if err := a.Query(id, "ticks", nil, []any{&n}); err != nil {
		t.Fatal(err)
	}
	return n.BigInt().Uint64()
}

func TestDrainedCanisterIsFrozenUntilToppedUp(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id, err := replicatest.CreateWith(a, 3_000_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if err := replicatest.Install(a, id, canisters.MustWasm("test/burner/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	var left idl.Nat
	if err := a.Call(id, "burn", []any{idl.NewNat(uint64(3_000_000_000_000))}, []any{&left}); err != nil {
		t.Fatalf("burn: %v", err)
	}
	err = a.Call(id, "inc", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "IC0207") || !strings.Contains(err.Error(), "out of cycles") {
		t.Fatalf("call to a drained canister: err = %v, want IC0207", err)
	}
	top := mgmt.ProvisionalTopUpArgs{CanisterID: id, Amount: idl.NewNat(uint64(1_000_000_000_000))}
	if err := a.Call(replicatest.Management, "provisional_top_up_canister", []any{top}, []any{}); err != nil {
		t.Fatalf("top up: %v", err)
	}
	var n idl.Nat
	if err := a.Call(id, "inc", nil, []any{&n}); err != nil || n.BigInt().Uint64() != 1 {
		t.Fatalf("inc after top-up = %v, %v", n.BigInt(), err)
	}
	st := status(t, a, id)
	if st.IdleCyclesBurnedPerDay.BigInt().Sign() <= 0 || st.MemorySize.BigInt().Sign() <= 0 {
		t.Fatalf("status: idle burn %s, memory %s; want both > 0", st.IdleCyclesBurnedPerDay.BigInt(), st.MemorySize.BigInt())
	}
}

func TestInspectMessageRefusesNonOwner(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	owner := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, owner)
	arg, err := candid.Marshal([]any{owner.Sender()})
	if err != nil {
		t.Fatal(err)
	}
	if err := replicatest.Install(owner, id, canisters.MustWasm("test/guarded/canister.wasm"), arg, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	if err := owner.Call(id, "set", []any{idl.NewNat(uint64(7))}, nil); err != nil {
		t.Fatalf("owner set: %v", err)
	}
	stranger := r.Agent(t, nil)
	// Motoko's inspect refuses by trapping, which the IC reports as IC0503
	// (a plain non-accept would be IC0406); either way before execution.
	err = stranger.Call(id, "set", []any{idl.NewNat(uint64(9))}, nil)
	if err == nil || !strings.Contains(err.Error(), "inspect_message") {
		t.Fatalf("stranger set: err = %v, want a refusal by canister_inspect_message", err)
	}
	var v idl.Nat
	if err := stranger.Query(id, "get", nil, []any{&v}); err != nil || v.BigInt().Uint64() != 7 {
		t.Fatalf("get = %v, %v; want 7", v.BigInt(), err)
	}
}
