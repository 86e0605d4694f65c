//go:build linux

package exec

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPopulatedListsEveryNonZeroPage: over a mapping with pages written
// (some with zeros), read and untouched, the scan lists every page that
// is not zero and none that was never touched.
func TestPopulatedListsEveryNonZeroPage(t *testing.T) {
	_, err := pagemap()
	needOnCI(t, "page scan", err)
	const pages = 256
	b := anonPages(t, pages)
	rng := rand.New(rand.NewPCG(3, 4))
	touched := map[int]bool{}
	var sum byte
	for range 60 {
		p := rng.IntN(pages)
		touched[p] = true
		switch rng.IntN(3) {
		case 0:
			b[p*DeltaPageSize+rng.IntN(DeltaPageSize)] = byte(1 + rng.IntN(255))
		case 1:
			b[p*DeltaPageSize] = 0 // a write of zero
		default:
			sum += b[p*DeltaPageSize+9] // a read
		}
	}
	var listed []int
	if !populated(b, func(off int) { listed = append(listed, off/DeltaPageSize) }) {
		t.Fatal("the scan failed")
	}
	if !slices.IsSorted(listed) {
		t.Fatalf("pages listed out of order: %v", listed)
	}
	for p := range pages {
		nonZero := !bytes.Equal(b[p*DeltaPageSize:(p+1)*DeltaPageSize], zeroDeltaPage[:])
		in := slices.Contains(listed, p)
		if nonZero && !in {
			t.Errorf("page %d is not zero but was not listed", p)
		}
		if in && !touched[p] {
			t.Errorf("page %d was never touched but was listed", p)
		}
	}
	_ = sum
}

// TestScannedCommitAndRollback: without write watching (a personal
// canister's heap is too small for it), Commit's delta and Rollback over
// the scanned pages are exactly what a whole-heap compare gives — on a
// fresh instance with a data segment, on one restored from its pages (an
// evicted canister's), and after the memory grew.
func TestScannedCommitAndRollback(t *testing.T) {
	if _, err := pagemap(); err != nil {
		t.Skipf("no page scan here: %v", err)
	}
	defer func(was int) { watchMinHeap = was }(watchMinHeap)
	watchMinHeap = 1 << 40
	const wat = `(module
  (import "ic0" "msg_reply" (func $reply))
  (memory 2)
  (data (i32.const 16) "segment bytes")
  (data (i32.const 70000) "second segment")
  (func (export "canister_update write")
    (i32.store (i32.const 100) (i32.add (i32.load (i32.const 100)) (i32.const 1)))
    (i32.store (i32.const 90000) (i32.const 7))
    (call $reply))
  (func (export "canister_update wipe")
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 4096))
    (memory.fill (i32.const 65536) (i32.const 0) (i32.const 8192))
    (call $reply))
  (func (export "canister_update grow")
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 140000) (i32.const 99))
    (call $reply))
)`
	e := newTestEngine(t)
	m := watModule(t, e, wat)
	fresh := instantiate(t, e, m, nil)
	mustRun(t, fresh, invocation(KindUpdate, "write", nil))
	fresh.Commit()
	saved := fresh.State()
	with := saved.Clone()
	with.HeapPages, with.HeapSize, with.Heap = nonZeroPages(with.Heap), uint64(len(with.Heap)), nil
	restored := instantiate(t, e, m, with)
	for name, inst := range map[string]*Instance{"fresh": fresh, "restored": restored} {
		if inst.watched != nil {
			t.Fatalf("%s: watched; the test is of the unwatched path", name)
		}
		for round, method := range []string{"write", "wipe", "write", "grow", "write", "wipe"} {
			before := inst.State()
			mustRun(t, inst, invocation(KindUpdate, method, nil))
			live := inst.liveHeap()
			if round%2 == 0 {
				if err := inst.Rollback(); err != nil {
					t.Fatal(err)
				}
				assertSameState(t, before, inst.liveState())
				// And once more for real, to commit.
				mustRun(t, inst, invocation(KindUpdate, method, nil))
				live = inst.liveHeap()
			}
			want := map[uint64]bool{}
			for off := 0; off < len(live); off += DeltaPageSize {
				var was []byte
				if off < len(before.Heap) {
					was = before.Heap[off : off+DeltaPageSize]
				} else {
					was = zeroDeltaPage[:]
				}
				if !bytes.Equal(live[off:off+DeltaPageSize], was) {
					want[uint64(off/DeltaPageSize)] = true
				}
			}
			d := inst.Commit()
			got := map[uint64]bool{}
			for p := range d.HeapPages {
				got[p] = true
			}
			for p := range want {
				if !got[p] {
					t.Errorf("%s round %d (%s): page %d changed but is not in the delta", name, round, method, p)
				}
			}
			for p := range got {
				if !want[p] && !bytes.Equal(d.HeapPages[p], zeroDeltaPage[:]) {
					t.Errorf("%s round %d (%s): page %d in the delta has not changed", name, round, method, p)
				}
			}
			assertSameState(t, inst.State(), inst.liveState())
		}
	}
}
