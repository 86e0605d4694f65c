package state

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testSnapshot makes a snapshot record and memories with a few non-zero
// pages, including the last one.
func testSnapshot(canister []byte, local byte) (*Snapshot, []byte, []byte) {
	heap := make([]byte, 16*PageSize)
	heap[3] = local
	heap[15*PageSize+9] = 0xee
	stable := make([]byte, 4*PageSize)
	stable[2*PageSize] = 0x55
	id := append([]byte{0, 0, 0, 0, 0, 0, 0, local}, canister...)
	snap := &Snapshot{ID: id, Canister: canister, TakenAt: 1000 + uint64(local), CanisterVersion: 7,
		ModuleHash: []byte("hash"), HeapSize: uint64(len(heap)), StableSize: uint64(len(stable)),
		Globals: []Global{{Type: 0x7f, Bits: 3}}, CertifiedData: []byte("cert"), GlobalTimer: 99, TotalSize: 12345}
	return snap, heap, stable
}

func write(snap *Snapshot, heap, stable []byte) SnapshotWrite {
	return SnapshotWrite{Snapshot: snap, HeapPages: PageViews(heap), StablePages: PageViews(stable)}
}

func TestSnapshotsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	can := []byte{0, 0, 0, 0, 0, 0x10, 0, 0, 1, 1}
	first, heap1, stable1 := testSnapshot(can, 0)
	second, heap2, stable2 := testSnapshot(can, 1)
	err := s.Commit(&Batch{Snapshots: []SnapshotWrite{write(second, heap2, stable2), write(first, heap1, stable1)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir)
	defer s.Close()
	got, err := s.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*Snapshot{first, second}, got); diff != "" {
		t.Fatalf("snapshots (-want +got), in the order taken:\n%s", diff)
	}
	for _, tc := range []struct {
		name   string
		snap   *Snapshot
		stable bool
		want   []byte
	}{
		{"first heap", first, false, heap1},
		{"first stable", first, true, stable1},
		{"second heap", second, false, heap2},
		{"second stable", second, true, stable2},
	} {
		size := tc.snap.HeapSize
		if tc.stable {
			size = tc.snap.StableSize
		}
		mem, pages, err := s.SnapshotMemory(tc.snap.ID, tc.stable, size)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(mem, tc.want) {
			t.Fatalf("%s differs after reopen", tc.name)
		}
		if diff := cmp.Diff(PageViews(tc.want), pages); diff != "" {
			t.Fatalf("%s pages (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDeleteSnapshot(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	can := []byte{1, 1}
	keep, heapK, stableK := testSnapshot(can, 0)
	gone, heapG, stableG := testSnapshot(can, 1)
	if err := s.Commit(&Batch{Snapshots: []SnapshotWrite{write(keep, heapK, stableK), write(gone, heapG, stableG)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(&Batch{DeletedSnapshots: []SnapshotRef{{Canister: can, ID: gone.ID}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Snapshots()
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].ID, keep.ID) {
		t.Fatalf("after delete: %v, %v; want only %x", got, err, keep.ID)
	}
	mem, pages, err := s.SnapshotMemory(gone.ID, false, gone.HeapSize)
	if err != nil || len(pages) != 0 || !bytes.Equal(mem, make([]byte, gone.HeapSize)) {
		t.Fatalf("deleted snapshot's heap: %d pages, err %v", len(pages), err)
	}
	if mem, _, err := s.SnapshotMemory(keep.ID, false, keep.HeapSize); err != nil || !bytes.Equal(mem, heapK) {
		t.Fatalf("kept snapshot's heap changed: %v", err)
	}
}

func TestTakeAndDeleteInOneBatch(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	can := []byte{1, 1}
	snap, heap, stable := testSnapshot(can, 0)
	b := &Batch{Snapshots: []SnapshotWrite{write(snap, heap, stable)}, DeletedSnapshots: []SnapshotRef{{Canister: can, ID: snap.ID}}}
	if err := s.Commit(b); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Snapshots(); err != nil || len(got) != 0 {
		t.Fatalf("snapshots = %v, %v; want none", got, err)
	}
}

func TestDeletedCanisterTakesItsSnapshots(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	gone, other := []byte{1, 1}, []byte{2, 1}
	snapG, heapG, stableG := testSnapshot(gone, 0)
	snapO, heapO, stableO := testSnapshot(other, 0)
	err := s.Commit(&Batch{Canisters: []*Canister{{ID: gone}, {ID: other}},
		Snapshots: []SnapshotWrite{write(snapG, heapG, stableG), write(snapO, heapO, stableO)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(&Batch{DeletedCanister: [][]byte{gone}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Snapshots()
	if err != nil || len(got) != 1 || !bytes.Equal(got[0].Canister, other) {
		t.Fatalf("snapshots after deleting a canister = %v, %v; want only the other canister's", got, err)
	}
	if _, pages, err := s.SnapshotMemory(snapG.ID, true, snapG.StableSize); err != nil || len(pages) != 0 {
		t.Fatalf("deleted canister's snapshot memory: %d pages, %v", len(pages), err)
	}
}

func TestSnapshotMemoryRefusesPagesBeyondSize(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	snap, heap, stable := testSnapshot([]byte{1, 1}, 0)
	if err := s.Commit(&Batch{Snapshots: []SnapshotWrite{write(snap, heap, stable)}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SnapshotMemory(snap.ID, false, PageSize); err == nil {
		t.Fatal("a record smaller than its stored pages: want an error, not a silently cut memory")
	}
}

func TestPageViews(t *testing.T) {
	tests := []struct {
		name  string
		mem   []byte
		pages []uint64
	}{
		{"empty", nil, nil},
		{"all zero", make([]byte, 3*PageSize), nil},
		{"first and last", func() []byte { m := make([]byte, 3*PageSize); m[0], m[3*PageSize-1] = 1, 2; return m }(), []uint64{0, 2}},
		{"partial last page", func() []byte { m := make([]byte, PageSize+10); m[PageSize+9] = 4; return m }(), []uint64{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PageViews(tc.mem)
			if diff := cmp.Diff(tc.pages, sortedPageIndices(got), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("page indices (-want +got):\n%s", diff)
			}
			for idx, p := range got {
				if len(p) != PageSize {
					t.Fatalf("page %d has %d bytes", idx, len(p))
				}
				end := min(int(idx+1)*PageSize, len(tc.mem))
				if !bytes.Equal(p[:end-int(idx)*PageSize], tc.mem[int(idx)*PageSize:end]) {
					t.Fatalf("page %d content differs", idx)
				}
			}
		})
	}
	// Whole pages are views, not copies.
	mem := make([]byte, 2*PageSize)
	mem[PageSize] = 1
	views := PageViews(mem)
	mem[PageSize+1] = 9
	if views[1][1] != 9 {
		t.Fatal("PageViews copied a whole page")
	}
}
