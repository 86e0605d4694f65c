package exec

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

// wasm32Wat is a Rust-CDK-style wasm32 canister using the 32-bit pointer
// forms and the deprecated stable_* and 64-bit cycles functions.
const wasm32Wat = `(module
  (import "ic0" "msg_arg_data_size" (func $argSize (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $argCopy (param i32 i32 i32)))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "stable_grow" (func $sgrow (param i32) (result i32)))
  (import "ic0" "stable_size" (func $ssize (result i32)))
  (import "ic0" "stable_write" (func $swrite (param i32 i32 i32)))
  (import "ic0" "stable_read" (func $sread (param i32 i32 i32)))
  (import "ic0" "msg_cycles_accept" (func $accept (param i64) (result i64)))
  (import "ic0" "canister_cycle_balance" (func $balance (result i64)))
  (memory 1)
  ;; echo: copy the argument to stable memory and back, then reply with it
  ;; followed by the old stable size, the accepted cycles and the balance.
  (func (export "canister_update echo") (local $n i32) (local $old i32)
    (local.set $n (call $argSize))
    (call $argCopy (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $old (call $sgrow (i32.const 1)))
    (call $swrite (i32.const 10) (i32.const 0) (local.get $n))
    (call $sread (i32.const 1000) (i32.const 10) (local.get $n))
    (i32.store (i32.add (i32.const 1000) (local.get $n)) (local.get $old))
    (i64.store (i32.add (i32.const 1004) (local.get $n)) (call $accept (i64.const 300)))
    (i64.store (i32.add (i32.const 1012) (local.get $n)) (call $balance))
    (call $append (i32.const 1000) (i32.add (local.get $n) (i32.const 20)))
    (call $reply))
  (func (export "canister_query size") (i32.store (i32.const 0) (call $ssize)) (call $append (i32.const 0) (i32.const 4)) (call $reply))
  (func (export "canister_update oob") (call $argCopy (i32.const 65530) (i32.const 0) (i32.const 10)))
)`

func TestWasm32Module(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, wasm32Wat)
	if m.Is64 {
		t.Fatal("wasm32 module described as 64-bit")
	}
	inst := instantiate(t, e, m, nil)
	inv := invocation(KindUpdate, "echo", []byte("hello"))
	inv.CyclesAvailable = cycles.Of(1000)
	inv.Balance = cycles.Of(5000)
	res := mustRun(t, inst, inv)
	if !bytes.HasPrefix(res.Reply, []byte("hello")) || len(res.Reply) != 25 {
		t.Fatalf("reply %q", res.Reply)
	}
	tail := res.Reply[5:]
	if old := binary.LittleEndian.Uint32(tail); old != 0 {
		t.Fatalf("old stable size %d", old)
	}
	if acc := binary.LittleEndian.Uint64(tail[4:]); acc != 300 {
		t.Fatalf("accepted %d", acc)
	}
	if bal := binary.LittleEndian.Uint64(tail[12:]); bal != 5300 {
		t.Fatalf("balance seen %d, want 5300", bal)
	}
	if res.CyclesAccepted != cycles.Of(300) || res.Balance != cycles.Of(5300) {
		t.Fatalf("result cycles accepted=%v balance=%v", res.CyclesAccepted, res.Balance)
	}
	inst.Commit()
	res = mustRun(t, inst, invocation(KindNonReplicatedQuery, "size", nil))
	if binary.LittleEndian.Uint32(res.Reply) != 1 {
		t.Fatalf("stable size %x", res.Reply)
	}
	wantTrap(t, inst.Run(invocation(KindUpdate, "oob", []byte("0123456789"))), reject.CanisterTrapped)
}

// apiWat exercises responding, calls, cycles, timers and traps (wasm64).
const apiWat = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i64 i64)))
  (import "ic0" "msg_reject" (func $reject (param i64 i64)))
  (import "ic0" "msg_reject_code" (func $rcode (result i32)))
  (import "ic0" "msg_reject_msg_copy" (func $rmsg (param i64 i64 i64)))
  (import "ic0" "msg_reject_msg_size" (func $rmsgSize (result i64)))
  (import "ic0" "msg_arg_data_copy" (func $argCopy (param i64 i64 i64)))
  (import "ic0" "call_new" (func $callNew (param i64 i64 i64 i64 i64 i64 i64 i64)))
  (import "ic0" "call_data_append" (func $callData (param i64 i64)))
  (import "ic0" "call_cycles_add128" (func $callCycles (param i64 i64)))
  (import "ic0" "call_on_cleanup" (func $cleanup (param i64 i64)))
  (import "ic0" "call_with_best_effort_response" (func $bestEffort (param i32)))
  (import "ic0" "call_perform" (func $perform (result i32)))
  (import "ic0" "global_timer_set" (func $timer (param i64) (result i64)))
  (import "ic0" "certified_data_set" (func $certify (param i64 i64)))
  (import "ic0" "debug_print" (func $print (param i64 i64)))
  (import "ic0" "trap" (func $trap (param i64 i64)))
  (import "ic0" "accept_message" (func $acceptMsg))
  (import "ic0" "stable64_read" (func $sread (param i64 i64 i64)))
  (import "ic0" "is_controller" (func $isCtl (param i64 i64) (result i32)))
  (import "ic0" "canister_liquid_cycle_balance128" (func $liquid (param i64)))
  (import "ic0" "performance_counter" (func $perf (param i32) (result i64)))
  (memory i64 1)
  (table 2 funcref)
  (elem (i32.const 0) $onReply $onReject)
  (data (i64.const 0) "callee")
  (data (i64.const 16) "method")
  (data (i64.const 32) "payload")
  (data (i64.const 48) "hello from the canister")
  (data (i64.const 80) "no thanks")
  (data (i64.const 96) "\ff\fe")
  (data (i64.const 112) "cert")
  (func (export "canister_update call")
    (call $callNew (i64.const 0) (i64.const 6) (i64.const 16) (i64.const 6)
                   (i64.const 0) (i64.const 11) (i64.const 1) (i64.const 12))
    (call $callData (i64.const 32) (i64.const 7))
    (call $callCycles (i64.const 0) (i64.const 250))
    (call $cleanup (i64.const 1) (i64.const 13))
    (call $bestEffort (i32.const 1000))
    (drop (call $perform))
    ;; an unfinished call is dropped and its cycles returned
    (call $callNew (i64.const 0) (i64.const 6) (i64.const 16) (i64.const 6)
                   (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))
    (call $callCycles (i64.const 0) (i64.const 100))
    (i64.store (i64.const 200) (call $timer (i64.const 777)))
    (call $certify (i64.const 112) (i64.const 4))
    (call $print (i64.const 48) (i64.const 23))
    (call $print (i64.const 999999) (i64.const 10))
    (call $append (i64.const 200) (i64.const 8))
    (call $reply))
  (func (export "canister_update too_many_cycles")
    (call $callNew (i64.const 0) (i64.const 6) (i64.const 16) (i64.const 6)
                   (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))
    (call $callCycles (i64.const 1) (i64.const 0)))
  (func (export "canister_update perform_without_new") (drop (call $perform)))
  (func (export "canister_update reject") (call $reject (i64.const 80) (i64.const 9)))
  (func (export "canister_update reject_bad_utf8") (call $reject (i64.const 96) (i64.const 2)))
  (func (export "canister_update reject_then_reply") (call $reject (i64.const 80) (i64.const 9)) (call $reply))
  (func (export "canister_update boom") (call $print (i64.const 48) (i64.const 5)) (call $trap (i64.const 80) (i64.const 9)))
  (func (export "canister_update arg_oob") (call $argCopy (i64.const 0) (i64.const 2) (i64.const 10)))
  (func (export "canister_update stable_oob") (call $sread (i64.const 0) (i64.const 0) (i64.const 1)))
  (func (export "canister_update controller")
    (i32.store8 (i64.const 300) (i32.add (i32.const 48) (call $isCtl (i64.const 0) (i64.const 6))))
    (call $liquid (i64.const 310))
    (call $append (i64.const 300) (i64.const 1))
    (call $append (i64.const 310) (i64.const 16))
    (i64.store (i64.const 330) (call $perf (i32.const 0)))
    (call $append (i64.const 330) (i64.const 8))
    (call $reply))
  (func (export "canister_inspect_message") (call $acceptMsg) (call $acceptMsg))
  (func $onReply (param $env i64)
    (i64.store (i64.const 400) (local.get $env))
    (call $append (i64.const 400) (i64.const 8))
    (call $reply))
  (func $onReject (param $env i64)
    (i32.store (i64.const 400) (call $rcode))
    (call $rmsg (i64.const 404) (i64.const 0) (call $rmsgSize))
    (call $append (i64.const 400) (i64.add (i64.const 4) (call $rmsgSize)))
    (call $reply))
)`

func TestSystemAPIBehaviour(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, apiWat)
	run := func(inv *Invocation) *Result {
		inst := instantiate(t, e, m, nil)
		return inst.Run(inv)
	}

	t.Run("calls, cycles, timer, certified data, logs", func(t *testing.T) {
		inv := invocation(KindUpdate, "call", nil)
		inv.Balance = cycles.Of(1000)
		inv.Timer = 555
		res := run(inv)
		if res.Trap != nil {
			t.Fatal(res.Trap)
		}
		if len(res.Calls) != 1 {
			t.Fatalf("calls = %+v", res.Calls)
		}
		c := res.Calls[0]
		if string(c.Callee) != "callee" || c.Method != "method" || string(c.Arg) != "payload" || c.Cycles != cycles.Of(250) ||
			c.Reply != (Callback{0, 11}) || c.Reject != (Callback{1, 12}) || c.Cleanup == nil || *c.Cleanup != (Callback{1, 13}) ||
			c.Timeout == nil || *c.Timeout != 300 {
			t.Fatalf("call = %+v", c)
		}
		if res.Balance != cycles.Of(750) {
			t.Fatalf("balance %v, want 750 (250 sent, 100 of the dropped call returned)", res.Balance)
		}
		if binary.LittleEndian.Uint64(res.Reply) != 555 || res.GlobalTimer == nil || *res.GlobalTimer != 777 {
			t.Fatalf("timer: previous %x, new %v", res.Reply, res.GlobalTimer)
		}
		if !res.CertifiedDataSet || string(res.CertifiedData) != "cert" {
			t.Fatalf("certified data %q", res.CertifiedData)
		}
		if len(res.Logs) != 2 || res.Logs[0] != "hello from the canister" {
			t.Fatalf("logs %q", res.Logs)
		}
	})

	t.Run("explicit reject", func(t *testing.T) {
		res := run(invocation(KindUpdate, "reject", nil))
		if res.Trap != nil || res.Reject == nil || *res.Reject != "no thanks" || res.Replied {
			t.Fatalf("result %+v", res)
		}
	})

	t.Run("callbacks", func(t *testing.T) {
		inv := invocation(KindReplyCallback, "", []byte("reply bytes"))
		inv.Callback = Callback{Fun: 0, Env: 0xabcdef}
		res := run(inv)
		if res.Trap != nil || binary.LittleEndian.Uint64(res.Reply) != 0xabcdef {
			t.Fatalf("reply callback: %+v", res)
		}
		inv = invocation(KindRejectCallback, "", nil)
		inv.Callback = Callback{Fun: 1}
		inv.RejectCode, inv.RejectMessage = reject.CanisterError, "callee trapped"
		res = run(inv)
		if res.Trap != nil || binary.LittleEndian.Uint32(res.Reply) != 5 || string(res.Reply[4:]) != "callee trapped" {
			t.Fatalf("reject callback: %+v", res)
		}
		inv.Responded = true
		wantTrap(t, run(inv), reject.CanisterContractViolation)
		inv.Responded = false
		inv.Callback = Callback{Fun: 7}
		wantTrap(t, run(inv), reject.CanisterTrapped)
	})

	t.Run("controller, liquid balance, performance counter", func(t *testing.T) {
		inv := invocation(KindUpdate, "controller", nil)
		inv.Controllers = [][]byte{[]byte("other"), []byte("callee")}
		inv.Balance, inv.FreezingLimit = cycles.Of(1000), cycles.Of(400)
		res := run(inv)
		if res.Trap != nil || res.Reply[0] != '1' || binary.LittleEndian.Uint64(res.Reply[1:]) != 600 {
			t.Fatalf("reply %x trap %v", res.Reply, res.Trap)
		}
		if perf := binary.LittleEndian.Uint64(res.Reply[17:]); perf == 0 || perf > res.Instructions {
			t.Fatalf("performance_counter(0) = %d, instructions %d", perf, res.Instructions)
		}
	})

	traps := []struct {
		method string
		code   reject.ErrorCode
		msg    string
	}{
		{"boom", reject.CanisterCalledTrap, "Canister called `ic0.trap` with message: 'no thanks'.\nConsider gracefully handling"},
		{"too_many_cycles", reject.CanisterContractViolation, "ic0.call_cycles_add128: cannot add 18446744073709551616 cycles"},
		{"perform_without_new", reject.CanisterContractViolation, "no call is under construction"},
		{"reject_bad_utf8", reject.CanisterContractViolation, "not valid UTF-8"},
		{"reject_then_reply", reject.CanisterContractViolation, "ic0.msg_reply: the call was already replied to or rejected"},
		{"arg_oob", reject.CanisterContractViolation, "ic0.msg_arg_data_copy: offset 2 + size 10 exceeds the data size 4"},
		{"stable_oob", reject.CanisterTrapped, "stable memory out of bounds"},
	}
	for _, tc := range traps {
		t.Run("trap "+tc.method, func(t *testing.T) {
			res := run(invocation(KindUpdate, tc.method, []byte("four")))
			wantTrap(t, res, tc.code)
			if !strings.Contains(res.Trap.Message, tc.msg) {
				t.Fatalf("message %q does not contain %q", res.Trap.Message, tc.msg)
			}
			if last := res.Logs[len(res.Logs)-1]; !strings.HasPrefix(last, "[TRAP]: ") {
				t.Fatalf("logs %q", res.Logs)
			}
			if tc.method == "boom" && (len(res.Logs) != 2 || res.Logs[0] != "hello" || res.Logs[1] != "[TRAP]: no thanks") {
				t.Fatalf("logs of ic0.trap %q", res.Logs)
			}
		})
	}

	t.Run("accept_message twice", func(t *testing.T) {
		wantTrap(t, run(invocation(KindInspectMessage, "call", nil)), reject.CanisterContractViolation)
	})
}

// TestSystemAPITable checks the table itself: every function parses to a
// non-empty context set and has a well-formed signature.
func TestSystemAPITable(t *testing.T) {
	if len(hostFuncs) < 55 {
		t.Fatalf("only %d ic0 functions", len(hostFuncs))
	}
	for name, hf := range hostFuncs {
		if hf.allowed == 0 {
			t.Errorf("%s: no context allows it", name)
		}
		if strings.Trim(hf.params+hf.results, "Iil") != "" || len(hf.results) > 1 {
			t.Errorf("%s: bad signature %q -> %q", name, hf.params, hf.results)
		}
	}
	// The 30 imports of a Motoko 4.10 module are all provided for wasm64.
	for _, name := range strings.Fields(`call_data_append call_cycles_add128 call_with_best_effort_response call_new
		call_perform call_on_cleanup canister_self_copy canister_self_size canister_status is_controller debug_print
		msg_arg_data_copy msg_arg_data_size msg_caller_copy msg_caller_size msg_cycles_refunded128 msg_reject_code
		msg_reject_msg_size msg_reject_msg_copy msg_reject msg_reply_data_append msg_reply performance_counter trap
		stable64_write stable64_read stable64_size stable64_grow time global_timer_set`) {
		if _, ok := lookupHostFunc(name, true); !ok {
			t.Errorf("Motoko import ic0.%s is not provided", name)
		}
	}
}
