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
// are already known, for a handed-over heap too, and for a heap given as
// its non-zero pages.
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
	for n, how := range []string{"copy", "handover", "copy", "pages"} {
		with := want.Clone()
		with.Handover = how == "handover"
		if how == "pages" {
			with.HeapPages, with.HeapSize, with.Heap = nonZeroPages(with.Heap), uint64(len(with.Heap)), nil
			if len(with.HeapPages) != 1 {
				t.Fatalf("%d non-zero pages, want only the one written at 70000", len(with.HeapPages))
			}
		}
		got := instantiate(t, e, m, with).State()
		if !bytes.Equal(got.Heap, want.Heap) {
			i := 0
			for i < len(got.Heap) && got.Heap[i] == want.Heap[i] {
				i++
			}
			t.Fatalf("restore %d (%s): restored heap differs at byte %d", n, how, i)
		}
	}
}

// TestRestorePagesRefusesMisfits: a page beyond the heap's size or not of
// 4 KiB is a clear error, not a panic or a silent truncation.
func TestRestorePagesRefusesMisfits(t *testing.T) {
	e := newTestEngine(t)
	m := watModule(t, e, dataWat)
	for name, pages := range map[string]map[uint64][]byte{
		"beyond": {2 * PageSize / DeltaPageSize: make([]byte, DeltaPageSize)},
		"short":  {3: make([]byte, 100)},
	} {
		if _, err := e.Instantiate(m, &State{HeapPages: pages, HeapSize: 2 * PageSize}); err == nil {
			t.Errorf("%s: a misfit page was accepted", name)
		}
	}
}
