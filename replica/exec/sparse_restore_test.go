package exec

import (
	"bytes"
	"testing"
)

// dataWat has a data segment on its first page and an update that zeroes
// it and writes on a later page.
const dataWat = `(module
  (import "ic0" "msg_reply" (func $reply))
  (memory 2)
  (data (i32.const 16) "segment bytes")
  (func (export "canister_update wipe")
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 4096))
    (i32.store (i32.const 70000) (i32.const 42))
    (call $reply))
)`

// TestRestoreOverDataSegments: a restored heap is exact where it differs
// from a fresh instance's memory — the data segment's page it zeroed stays
// zero, its own pages are there — whether or not the module's fresh pages
// are already known, and for a handed-over heap too.
func TestRestoreOverDataSegments(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, dataWat)
	inst := instantiate(t, e, m, nil)
	if !bytes.Contains(inst.State().Heap[:4096], []byte("segment bytes")) {
		t.Fatal("the data segment is not in a fresh instance")
	}
	mustRun(t, inst, invocation(KindUpdate, "wipe", nil))
	inst.Commit()
	want := inst.State()
	for _, handover := range []bool{false, true, false} {
		with := want.Clone()
		with.Handover = handover
		got := instantiate(t, e, m, with).State()
		if !bytes.Equal(got.Heap, want.Heap) {
			i := 0
			for i < len(got.Heap) && got.Heap[i] == want.Heap[i] {
				i++
			}
			t.Fatalf("handover=%v: restored heap differs at byte %d", handover, i)
		}
	}
}
