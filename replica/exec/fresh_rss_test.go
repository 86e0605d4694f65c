package exec

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFreshInstallRSS: a freshly installed Motoko canister's heap is
// megabytes of which a few dozen KiB are not zero; the instance (wasmtime
// memory plus committed copy) must cost about what is written, not its
// whole heap, also when heap-sized buffers are allocated and dropped
// around it. Many instances are kept live so that one-off allocations and
// measurement noise average out, and the bound is generous (a quarter of
// the heap): before the committed copy moved out of the Go heap, the
// reused memory Go zeroed cost about half the heap per instance.
func TestFreshInstallRSS(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	installCounter(t, e, m).Close() // warm up: compiled code, fresh pages
	boundResidentPerInstance(t, func() *Instance {
		inst := installCounter(t, e, m)
		// A heap-sized copy that becomes garbage (upgrades and snapshots
		// take one), whose memory the next allocations reuse.
		_ = inst.State()
		return inst
	})
}

// TestRestoredInstanceRSS: an instance restored from a heap buffer that is
// resident throughout (the Go runtime zeroes the reused memory it hands
// out) must not keep that buffer: its committed copy holds only the
// non-zero pages. Before, a restore from disk kept the buffer whole.
func TestRestoredInstanceRSS(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	inst := installCounter(t, e, m)
	st := inst.State()
	inst.Close()
	boundResidentPerInstance(t, func() *Instance {
		heap := make([]byte, len(st.Heap))
		for off := 0; off < len(heap); off += DeltaPageSize {
			heap[off] = 0 // as the runtime's zeroing does: resident
		}
		copy(heap, st.Heap)
		inst, err := e.Instantiate(m, &State{Heap: heap, Stable: cloneSparse(st.Stable), Globals: st.Globals, Handover: true})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(inst.State().Heap, st.Heap) {
			t.Fatal("the restored committed heap differs from the saved one")
		}
		return inst
	})
}

// boundResidentPerInstance keeps 200 instances made by newInstance live and fails
// if each costs more than a quarter of its heap in resident memory.
func boundResidentPerInstance(t *testing.T, newInstance func() *Instance) {
	t.Helper()
	const n = 200
	insts := make([]*Instance, 0, n)
	defer func() {
		for _, inst := range insts {
			inst.Close()
		}
	}()
	before := residentBytes(t)
	for range n {
		insts = append(insts, newInstance())
	}
	perInstance := (residentBytes(t) - before) / n
	heap := len(insts[0].heap)
	t.Logf("%d instances: %d KiB resident each, heap %d KiB", n, perInstance>>10, heap>>10)
	if perInstance > heap/4 {
		t.Fatalf("an instance costs %d KiB resident, over a quarter of its %d KiB heap", perInstance>>10, heap>>10)
	}
}

// TestCloseUnmapsCommittedHeap: Close returns the committed copy's mapping
// at once rather than at some later collection.
func TestCloseUnmapsCommittedHeap(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	inst := installCounter(t, e, m)
	h := inst.heapMem
	if h.b == nil || len(inst.heap) == 0 {
		t.Fatal("the committed heap of an installed instance is not in a mapping")
	}
	inst.Close()
	if h.b != nil || inst.heap != nil {
		t.Fatal("Close left the committed heap mapped")
	}
	inst.Close() // a second Close is harmless
}

// TestDroppedInstanceUnmapsCommittedHeap: an instance dropped without Close
// still returns its mapping, when the collector finds it unreachable.
func TestDroppedInstanceUnmapsCommittedHeap(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	h := func() *heapMapping { return installCounter(t, e, m).heapMem }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		runtime.GC()
		h.mu.Lock()
		freed := h.b == nil
		h.mu.Unlock()
		if freed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a dropped instance's committed heap is still mapped")
		}
		runtime.Gosched()
	}
}

// residentBytes is the process's resident memory after a collection that
// returns freed Go memory to the system.
func residentBytes(t testing.TB) int {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatalf("VmRSS %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
