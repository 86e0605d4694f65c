package exec

import (
	"fmt"
	"testing"

	"github.com/canistry/canistry/replica/reject"
)

// stateWat is a wasm64 canister with heap, stable memory and globals that
// its methods mutate, some of them before trapping.
const stateWat = `(module
  (import "ic0" "stable64_grow" (func $sgrow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $swrite (param i64 i64 i64)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i64 i64)))
  (memory i64 1)
  (global $counter (mut i64) (i64.const 7))
  (global $flag (mut i32) (i32.const 0))
  (global $const i32 (i32.const 5))
  (global $f (mut f64) (f64.const 1.5))
  (func $mutate
    (i64.store (i64.const 100) (i64.add (i64.load (i64.const 100)) (i64.const 1)))
    (i64.store (i64.const 40000) (i64.const 0x1122334455667788))
    (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
    (global.set $flag (i32.const 1))
    (global.set $f (f64.add (global.get $f) (f64.const 1)))
    (if (i64.eqz (call $sgrow (i64.const 0))) (then (drop (call $sgrow (i64.const 1)))))
    (call $swrite (i64.const 5000) (i64.const 100) (i64.const 8)))
  (func $grow
    (drop (memory.grow (i64.const 2)))
    (i64.store (i64.const 140000) (i64.const 99))
    (drop (call $sgrow (i64.const 3)))
    (call $swrite (i64.const 200000) (i64.const 100) (i64.const 8)))
  (func (export "canister_update mutate") (call $mutate) (call $reply))
  (func (export "canister_update mutate_trap") (call $mutate) unreachable)
  (func (export "canister_update grow") (call $grow) (call $mutate) (call $reply))
  (func (export "canister_update grow_trap") (call $grow) (call $mutate) unreachable)
  (func (export "canister_update reply_twice") (call $reply) (call $reply))
  (func (export "canister_update noop") (call $reply))
  (func (export "canister_update spin") (loop $l (br $l)))
  (func (export "canister_query counter")
    (i64.store (i64.const 0) (global.get $counter))
    (call $append (i64.const 0) (i64.const 8))
    (call $reply))
)`

func TestRollbackIsExact(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, stateWat)
	tests := []struct {
		name, method string
		trap         reject.ErrorCode // 0: runs fine, rolled back like a query
	}{
		{"trap after heap, stable and global changes", "mutate_trap", reject.CanisterTrapped},
		{"trap after memory growth", "grow_trap", reject.CanisterTrapped},
		{"rollback of a successful execution", "mutate", 0},
		{"rollback of a successful growth", "grow", 0},
		{"reply twice", "reply_twice", reject.CanisterContractViolation},
		{"instruction limit", "spin", reject.CanisterInstructionLimitExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inst := instantiate(t, e, m, nil)
			mustRun(t, inst, invocation(KindUpdate, "mutate", nil)) // some committed state
			inst.Commit()
			before := inst.State()
			inv := invocation(KindUpdate, tc.method, nil)
			inv.Limit = 1_000_000
			res := inst.Run(inv)
			if tc.trap != 0 {
				wantTrap(t, res, tc.trap)
			} else if res.Trap != nil {
				t.Fatal(res.Trap)
			}
			if tc.trap != 0 && (res.Replied || res.Reply != nil || res.Calls != nil) {
				t.Fatalf("trap result still carries effects: %+v", res)
			}
			if err := inst.Rollback(); err != nil {
				t.Fatal(err)
			}
			assertSameState(t, before, inst.liveState())
			// The instance keeps working after the rollback.
			mustRun(t, inst, invocation(KindUpdate, "mutate", nil))
			inst.Commit()
			if got := inst.State().Globals[0].Bits; got != before.Globals[0].Bits+1 {
				t.Fatalf("counter after rollback and mutate = %d, want %d", got, before.Globals[0].Bits+1)
			}
		})
	}
}

func TestInstructionLimitMessage(t *testing.T) {
	e := newTestEngine(t)
	inst := instantiate(t, e, watModule(t, e, stateWat), nil)
	inv := invocation(KindUpdate, "spin", nil)
	inv.Limit = 5000
	res := inst.Run(inv)
	wantTrap(t, res, reject.CanisterInstructionLimitExceeded)
	if want := "Canister exceeded the limit of 5000 instructions for single message execution."; res.Trap.Message != want {
		t.Fatalf("message %q, want %q", res.Trap.Message, want)
	}
	if res.Instructions != 5000 {
		t.Fatalf("instructions = %d, want 5000", res.Instructions)
	}
}

func TestDeltaReproducesState(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, stateWat)
	inst := instantiate(t, e, m, nil)
	mustRun(t, inst, invocation(KindUpdate, "mutate", nil))
	first := inst.Commit()
	if first.Empty() {
		t.Fatal("first delta is empty")
	}
	old := inst.State()
	mustRun(t, inst, invocation(KindUpdate, "grow", nil))
	d := inst.Commit()
	if d.HeapSize != 3*PageSize || d.StableSize != 4*PageSize {
		t.Fatalf("delta sizes heap=%d stable=%d", d.HeapSize, d.StableSize)
	}
	// Only the pages that changed: heap pages of offsets 100 and 140000
	// (offset 40000 is rewritten with the same value), stable pages of
	// offsets 5000 and 200000.
	if len(d.HeapPages) != 2 || len(d.StablePages) != 2 {
		t.Fatalf("delta has %d heap pages and %d stable pages", len(d.HeapPages), len(d.StablePages))
	}
	d.Apply(old)
	assertSameState(t, inst.State(), old)

	// An execution that changes nothing yields an empty delta.
	mustRun(t, inst, invocation(KindUpdate, "noop", nil))
	if d := inst.Commit(); !d.Empty() {
		t.Fatalf("noop delta has %d heap and %d stable pages", len(d.HeapPages), len(d.StablePages))
	}
}

func TestGlobalsRestoredByInstantiate(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, stateWat)
	inst := instantiate(t, e, m, nil)
	for i := 0; i < 3; i++ {
		mustRun(t, inst, invocation(KindUpdate, "mutate", nil))
		inst.Commit()
	}
	saved := inst.State()
	// Three mutable globals are exported (the immutable one is not).
	if len(saved.Globals) != 3 || saved.Globals[0] != (Global{Type: GlobalI64, Bits: 10}) ||
		saved.Globals[1] != (Global{Type: GlobalI32, Bits: 1}) || saved.Globals[2].Type != GlobalF64 {
		t.Fatalf("globals = %+v", saved.Globals)
	}
	restored := instantiate(t, e, m, saved)
	assertSameState(t, saved, restored.liveState())
	res := mustRun(t, restored, invocation(KindNonReplicatedQuery, "counter", nil))
	if len(res.Reply) != 8 || res.Reply[0] != 10 {
		t.Fatalf("counter reply %x, want 10", res.Reply)
	}

	// Globals == nil keeps the fresh instance's globals (EOP upgrade).
	kept := instantiate(t, e, m, &State{Heap: saved.Heap, Stable: saved.Stable})
	live := kept.liveState()
	if live.Globals[0].Bits != 7 || string(live.Heap) != string(saved.Heap) || string(live.Stable) != string(saved.Stable) {
		t.Fatalf("keep: globals %+v, heap equal %v", live.Globals, string(live.Heap) == string(saved.Heap))
	}

	// A state that does not fit the module is refused.
	if _, err := e.Instantiate(m, &State{Heap: saved.Heap, Globals: saved.Globals[:1]}); err == nil {
		t.Fatal("instantiate with the wrong number of globals succeeded")
	}
}

// TestCommitAfterTrapRollsBack guards against persisting a trapped
// execution, and checks that State reports only committed data while an
// execution is pending.
func TestCommitAfterTrapRollsBack(t *testing.T) {
	e := newTestEngine(t)
	inst := instantiate(t, e, watModule(t, e, stateWat), nil)
	mustRun(t, inst, invocation(KindUpdate, "mutate", nil))
	inst.Commit()
	before := inst.State()

	mustRun(t, inst, invocation(KindUpdate, "mutate", nil)) // pending, not committed
	assertSameState(t, before, inst.State())
	if err := inst.Rollback(); err != nil {
		t.Fatal(err)
	}

	wantTrap(t, inst.Run(invocation(KindUpdate, "grow_trap", nil)), reject.CanisterTrapped)
	if d := inst.Commit(); !d.Empty() {
		t.Fatalf("commit after trap returned %d heap pages", len(d.HeapPages))
	}
	assertSameState(t, before, inst.State())
	assertSameState(t, before, inst.liveState())
}

func TestWasm64HeapLimit(t *testing.T) {
	e, err := NewEngine(Config{MaxWasm64Memory: 4 * PageSize})
	if err != nil {
		t.Fatal(err)
	}
	inst := instantiate(t, e, watModule(t, e, `(module
	  (import "ic0" "msg_reply_data_append" (func $append (param i64 i64)))
	  (import "ic0" "msg_reply" (func $reply))
	  (memory i64 1)
	  (func (export "canister_update grow")
	    (i64.store (i64.const 0) (memory.grow (i64.const 3)))
	    (i64.store (i64.const 8) (memory.grow (i64.const 1)))
	    (call $append (i64.const 0) (i64.const 16))
	    (call $reply)))`), nil)
	res := mustRun(t, inst, invocation(KindUpdate, "grow", nil))
	if got := fmt.Sprintf("%x", res.Reply); got != "0100000000000000ffffffffffffffff" {
		t.Fatalf("memory.grow results %s, want 1 then -1", got)
	}
}

// TestInstantiateWithStableOnly is the upgrade with Replace: fresh heap and
// globals, old stable memory.
func TestInstantiateWithStableOnly(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, stateWat)
	inst := instantiate(t, e, m, nil)
	mustRun(t, inst, invocation(KindUpdate, "mutate", nil)) // 1 stable page
	mustRun(t, inst, invocation(KindUpdate, "grow", nil))   // 3 more, written at 200000
	inst.Commit()
	old := inst.State()
	fresh := instantiate(t, e, m, nil).liveState()
	up := instantiate(t, e, m, &State{Stable: old.Stable}).liveState()
	if string(up.Stable) != string(old.Stable) || string(up.Heap) != string(fresh.Heap) || up.Globals[0] != fresh.Globals[0] {
		t.Fatalf("replace upgrade: stable kept=%v heap fresh=%v globals %+v", string(up.Stable) == string(old.Stable), string(up.Heap) == string(fresh.Heap), up.Globals)
	}
}
