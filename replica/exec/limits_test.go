package exec

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"weak"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/replica/reject"
)

func TestWasmMemoryLimit(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, `(module
	  (memory 1)
	  (func $grow (drop (memory.grow (i32.const 2))))
	  (export "canister_update grow" (func $grow))
	  (export "canister_query grow_q" (func $grow)))`)
	tests := []struct {
		name   string
		kind   Kind
		method string
		limit  uint64
		trap   reject.ErrorCode
	}{
		{"update beyond the limit", KindUpdate, "grow", 2 * PageSize, reject.CanisterWasmMemoryLimitExceeded},
		{"update within the limit", KindUpdate, "grow", 3 * PageSize, 0},
		{"no limit", KindUpdate, "grow", 0, 0},
		{"queries are not limited", KindNonReplicatedQuery, "grow_q", 2 * PageSize, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inst := instantiate(t, e, m, nil)
			inv := invocation(tc.kind, tc.method, nil)
			inv.WasmMemoryLimit = tc.limit
			res := inst.Run(inv)
			if tc.trap != 0 {
				wantTrap(t, res, tc.trap)
				if err := inst.Rollback(); err != nil {
					t.Fatal(err)
				}
				if n := len(inst.liveState().Heap); n != PageSize {
					t.Fatalf("heap after rollback %d bytes", n)
				}
				return
			}
			if res.Trap != nil {
				t.Fatal(res.Trap)
			}
		})
	}
}

// TestParallelInstances runs instances of one module on several goroutines
// (the scheduler runs different canisters in parallel).
func TestParallelInstances(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if msg := countTo20(e, m); msg != "" {
				errs <- msg
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// countTo20 installs a counter and increments it 20 times, reporting a
// failure as a message (it runs off the test goroutine).
func countTo20(e *Engine, m *Module) string {
	inst, err := e.Instantiate(m, nil)
	if err != nil {
		return err.Error()
	}
	defer inst.Close()
	steps := []*Invocation{invocation(KindStart, "", nil), invocation(KindInit, "", emptyArgs)}
	for i := 0; i < 20; i++ {
		steps = append(steps, invocation(KindUpdate, "inc", emptyArgs))
	}
	var last *Result
	for _, inv := range steps {
		if last = inst.Run(inv); last.Trap != nil {
			return last.Trap.Error()
		}
		inst.Commit()
	}
	var n idl.Nat
	if err := candid.Unmarshal(last.Reply, []any{&n}); err != nil || n.BigInt().Uint64() != 20 {
		return fmt.Sprintf("last inc replied %x (%v), want 20", last.Reply, err)
	}
	return ""
}

// TestUnclosedInstanceIsCollected checks that wasmtime-go's global store
// table does not keep a dropped instance alive.
func TestUnclosedInstanceIsCollected(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, stateWat)
	ref := func() weak.Pointer[Instance] {
		inst, err := e.Instantiate(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		inst.Run(invocation(KindUpdate, "mutate", nil))
		return weak.Make(inst)
	}()
	for i := 0; i < 5 && ref.Value() != nil; i++ {
		runtime.GC()
	}
	if ref.Value() != nil {
		t.Fatal("a dropped instance is still reachable")
	}
}
