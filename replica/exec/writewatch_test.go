//go:build linux

package exec

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
)

// TestMain watches every instance of this package's tests, whose heaps are
// small: Commit and Rollback are tested on the watched path here (where
// the kernel has it) and on the whole-heap path by the replica's tests.
func TestMain(m *testing.M) {
	watchMinHeap = 0
	os.Exit(m.Run())
}

// TestWriteWatchSeesEveryWrite: on a kernel that has it (CI's and this
// machine's), the watch reports exactly the pages written, each once, and
// pages never touched (unpopulated) too once written.
func TestWriteWatchSeesEveryWrite(t *testing.T) {
	w, err := writeWatcher()
	needOnCI(t, "write watching", err)
	const pages = 64
	b := anonPages(t, pages)
	b[0] = 1 // populated before the watch starts: not a write after it
	if err := w.watch(b); err != nil {
		t.Fatal(err)
	}
	seen := func() []int {
		var out []int
		if err := w.written(b, true, func(off int) { out = append(out, off/DeltaPageSize) }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := seen(); len(got) != 0 {
		t.Fatalf("before any write: %v", got)
	}
	for _, p := range []int{0, 5, 6, 63} {
		b[p*DeltaPageSize+100] = byte(p) // 0 was populated, the others never were
	}
	if got := seen(); len(got) != 4 || got[0] != 0 || got[1] != 5 || got[2] != 6 || got[3] != 63 {
		t.Fatalf("after writes to 0, 5, 6, 63: %v", got)
	}
	if got := seen(); len(got) != 0 {
		t.Fatalf("the same writes reported twice: %v", got)
	}
	copy(b[10*DeltaPageSize:], make([]byte, 3*DeltaPageSize)) // writing zeros is writing
	if got := seen(); len(got) != 3 || got[0] != 10 || got[2] != 12 {
		t.Fatalf("after a copy over 10–12: %v", got)
	}
}

// TestWatchedCommitAndRollback: with the memory watched, Commit's delta is
// exactly the pages a whole-heap compare finds changed, writes by the
// canister's code and by Go alike, and Rollback restores them all.
func TestWatchedCommitAndRollback(t *testing.T) {
	if _, err := writeWatcher(); err != nil {
		t.Skipf("no write watching here: %v", err)
	}
	e := newTestEngine(t)
	inst := instantiate(t, e, watModule(t, e, stateWat), nil)
	if inst.watched == nil {
		t.Fatal("the instance's memory is not watched")
	}
	mustRun(t, inst, invocation(KindUpdate, "mutate", nil))
	mustRun(t, inst, invocation(KindUpdate, "grow", nil)) // 3 pages of 64 KiB
	inst.Commit()
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		before := inst.State()
		mustRun(t, inst, invocation(KindUpdate, "mutate", nil))
		live := inst.liveHeap()
		for range rng.IntN(8) {
			off := rng.IntN(len(live))
			live[off] ^= byte(1 + rng.IntN(255)) // a host write: a real change
		}
		want := map[uint64]bool{}
		for off := 0; off < len(live); off += DeltaPageSize {
			if !bytes.Equal(live[off:off+DeltaPageSize], before.Heap[off:off+DeltaPageSize]) {
				want[uint64(off/DeltaPageSize)] = true
			}
		}
		if round%2 == 1 {
			if err := inst.Rollback(); err != nil {
				t.Fatal(err)
			}
			assertSameState(t, before, inst.liveState())
			continue
		}
		d := inst.Commit()
		if len(d.HeapPages) != len(want) {
			t.Fatalf("round %d: delta of %d heap pages, the whole compare finds %d", round, len(d.HeapPages), len(want))
		}
		for p := range d.HeapPages {
			if !want[p] {
				t.Fatalf("round %d: page %d in the delta has not changed", round, p)
			}
		}
		if inst.watched == nil {
			t.Fatalf("round %d: watching turned off", round)
		}
	}
}

func kernelRelease(t *testing.T) string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 0, len(u.Release))
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// kernelAtLeast reads "6.18.44-fc" as 6.18.
func kernelAtLeast(release string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(release, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// needOnCI skips the test where the kernel lacks what (err says why), but
// fails it on CI, whose kernel (6.7 or later) has it.
func needOnCI(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if release := kernelRelease(t); os.Getenv("CI") == "true" && kernelAtLeast(release, 6, 7) {
		t.Fatalf("no %s on CI's Linux %s, which has it: %v", what, release, err)
	}
	t.Skipf("no %s here: %v", what, err)
}

// anonPages is a fresh anonymous mapping of n pages, unmapped after the test.
func anonPages(t *testing.T, n int) []byte {
	t.Helper()
	b, err := syscall.Mmap(-1, 0, n*DeltaPageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(b) })
	return b
}
