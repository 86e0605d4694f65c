package replica_test

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// boundedCaller forwards its argument as a bounded-wait call (1 s) to the
// "ping" method of a callee and replies with one byte: 0 for a reply, else
// the reject code. Its argument is [len][callee][Candid argument].
const boundedCaller = `(module
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_data_append" (func $call_data_append (param i32 i32)))
  (import "ic0" "call_with_best_effort_response" (func $best_effort (param i32)))
  (import "ic0" "call_perform" (func $call_perform (result i32)))
  (import "ic0" "msg_reject_code" (func $reject_code (result i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $on_reply $on_reject)
  (data (i32.const 1000) "ping")
  (func (export "canister_update go")
    (local $n i32)
    (call $arg_copy (i32.const 0) (i32.const 0) (call $arg_size))
    (local.set $n (i32.load8_u (i32.const 0)))
    (call $call_new (i32.const 1) (local.get $n) (i32.const 1000) (i32.const 4)
      (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $call_data_append (i32.add (i32.const 1) (local.get $n))
      (i32.sub (call $arg_size) (i32.add (i32.const 1) (local.get $n))))
    (call $best_effort (i32.const 1))
    (drop (call $call_perform)))
  (func $on_reply (param i32)
    (i32.store8 (i32.const 2000) (i32.const 0))
    (call $append (i32.const 2000) (i32.const 1))
    (call $reply))
  (func $on_reject (param i32)
    (i32.store8 (i32.const 2000) (call $reject_code))
    (call $append (i32.const 2000) (i32.const 1))
    (call $reply)))`

// TestBoundedWaitCallExpires: a best-effort call whose callee takes longer
// than its timeout is answered with SYS_UNKNOWN at the deadline; the
// callee's late answer is dropped.
func TestBoundedWaitCallExpires(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	wasm := canisters.MustWasm("test/pingpong/canister.wasm")
	var pp [2]principal.Principal
	for i := range pp {
		pp[i] = replicatest.CreateCanister(t, a)
		if err := replicatest.Install(a, pp[i], wasm, nil, replicatest.ModeInstall); err != nil {
			t.Fatal(err)
		}
	}
	caller := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, caller, watModule(t, boundedCaller), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	// A chain far longer than one second of rounds.
	pingArg, err := candid.Marshal([]any{pp[1], idl.NewNat(uint64(200_000))})
	if err != nil {
		t.Fatal(err)
	}
	arg := append(append([]byte{byte(len(pp[0].Raw))}, pp[0].Raw...), pingArg...)
	start := time.Now()
	out, err := a.CallRaw(caller, "go", arg)
	if err != nil {
		t.Fatalf("go: %v", err)
	}
	if len(out) != 1 || out[0] != 6 {
		t.Fatalf("bounded-wait call answered %v after %s, want reject code 6 (SYS_UNKNOWN)", out, time.Since(start))
	}
	if took := time.Since(start); took < time.Second || took > 20*time.Second {
		t.Fatalf("the SYS_UNKNOWN answer came after %s, want soon after the 1 s deadline", took)
	}
}
