package exec

import (
	"bytes"
	"slices"
	"testing"
)

// TestCommittedIsState: the committed state as pages, applied to empty
// memories, is exactly State — and holds no zero page.
func TestCommittedIsState(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	inst := installCounter(t, e, m)
	defer inst.Close()
	mustRun(t, inst, invocation(KindUpdate, "inc", emptyArgs))
	inst.Commit()
	d := inst.Committed()
	got := &State{}
	d.Apply(got)
	want := inst.State()
	if !bytes.Equal(got.Heap, want.Heap) || !bytes.Equal(got.Stable, want.Stable) || !slices.Equal(got.Globals, want.Globals) {
		t.Fatal("Committed applied to empty memories differs from State")
	}
	for idx, p := range d.HeapPages {
		if bytes.Equal(p, zeroDeltaPage[:]) {
			t.Fatalf("heap page %d is zero but listed", idx)
		}
	}
	if len(d.HeapPages) == 0 || len(d.HeapPages)*DeltaPageSize >= len(want.Heap) {
		t.Fatalf("%d pages listed for a %d-byte heap", len(d.HeapPages), len(want.Heap))
	}
}
