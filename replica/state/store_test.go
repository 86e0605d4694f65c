package state

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/canistry/canistry/replica/cycles"
)

func TestCommitAndReload(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	heap := make([]byte, 3*PageSize)
	heap[5] = 1
	heap[2*PageSize+7] = 9
	c := &Canister{ID: []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, Controllers: [][]byte{{4}}, Status: Running,
		Cycles: cycles.Amount{Lo: 42}, ModuleHash: []byte("hash"), HeapSize: uint64(len(heap)), Version: 3,
		Globals: []Global{{Type: 1, Bits: 77}}}
	b := &Batch{
		Meta:      map[string][]byte{"keys": []byte("k")},
		Canisters: []*Canister{c},
		Modules:   map[string][]byte{"hash": []byte("\x00asm")},
		Memory:    []MemoryUpdate{{Canister: c.ID, Reset: true, Pages: Pages(heap)}},
		Ingress:   []*Ingress{{ID: []byte("rid"), Status: "replied", Reply: []byte("r"), Expiry: 5}},
	}
	if err := s.Commit(b); err != nil {
		t.Fatal(err)
	}
	// A page update, then a zero page that must read back as zeros.
	heap[5] = 2
	heap[2*PageSize+7] = 0
	upd := map[uint64][]byte{0: append([]byte(nil), heap[:PageSize]...), 2: append([]byte(nil), heap[2*PageSize:]...)}
	if err := s.Commit(&Batch{Memory: []MemoryUpdate{{Canister: c.ID, Pages: upd}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Canisters()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*Canister{c}, got); diff != "" {
		t.Fatalf("canisters (-want +got):\n%s", diff)
	}
	mem, err := s.Memory(c.ID, false, c.HeapSize)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mem, heap) {
		t.Fatal("heap differs after reload")
	}
	pages, err := s.MemoryPages(c.ID, false, c.HeapSize)
	if err != nil {
		t.Fatal(err)
	}
	fromPages := make([]byte, c.HeapSize)
	for idx, p := range pages {
		if len(p) != PageSize {
			t.Fatalf("page %d has %d bytes", idx, len(p))
		}
		copy(fromPages[idx*PageSize:], p)
	}
	if _, ok := pages[1]; ok || !bytes.Equal(fromPages, heap) {
		t.Fatal("the heap's pages differ after reload")
	}
	if short, _ := s.MemoryPages(c.ID, false, PageSize); len(short) != 1 {
		t.Fatalf("%d pages of a one-page memory", len(short))
	}
	if k, _ := s.Meta("keys"); string(k) != "k" {
		t.Fatalf("meta keys = %q", k)
	}
	if w, err := s.Module([]byte("hash")); err != nil || string(w) != "\x00asm" {
		t.Fatalf("module = %q, %v", w, err)
	}
	if _, err := s.Module([]byte("nope")); err == nil {
		t.Fatal("missing module: want error")
	}
	in, err := s.Ingress()
	if err != nil || len(in) != 1 || in[0].Status != "replied" {
		t.Fatalf("ingress = %+v, %v", in, err)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: err = %v, want ErrLocked", err)
	}
}

func TestDeleteCanisterDropsMemory(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := []byte{1}
	heap := bytes.Repeat([]byte{7}, PageSize)
	if err := s.Commit(&Batch{Canisters: []*Canister{{ID: id}}, Memory: []MemoryUpdate{{Canister: id, Pages: Pages(heap)}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(&Batch{DeletedCanister: [][]byte{id}}); err != nil {
		t.Fatal(err)
	}
	cs, _ := s.Canisters()
	mem, _ := s.Memory(id, false, PageSize)
	if len(cs) != 0 || !bytes.Equal(mem, zeroPage) {
		t.Fatalf("after delete: %d canisters, memory zero=%v", len(cs), bytes.Equal(mem, zeroPage))
	}
}
