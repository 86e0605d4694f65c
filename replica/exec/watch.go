package exec

import (
	"log/slog"
	"sync"
	"unsafe"
)

// The instance's side of write watching (writewatch_linux.go): after each
// Commit and Rollback its memory is protected again, and the next one
// visits only the pages written since. Any failure turns watching off for
// the instance, which then compares whole heaps as before.

var logNoWatch sync.Once

// watchMinHeap is the heap size from which an instance is watched. Below
// it comparing is cheaper: a small heap is mostly pages never touched,
// which the compare skips (populated.go) or reads as the one shared zero
// page, while each watched write costs a fault and each protecting pass a
// TLB flush (BenchmarkPersonalQuery, 4 MiB heaps: 5,200 queries/s
// compared, 4,700 watched, before the compare skipped unpopulated pages;
// 5,900 now). Large, touched heaps are where comparing costs: a registry
// whose garbage collector has been through 200 MB (BenchmarkRollout).
// A variable for the tests.
var watchMinHeap = 8 << 20

// startWatch protects the whole memory of an instance whose heap is large
// enough to be worth it.
func (i *Instance) startWatch() {
	live := i.liveHeap()
	if len(live) < watchMinHeap {
		return
	}
	w, err := writeWatcher()
	if err != nil {
		logNoWatch.Do(func() {
			slog.Info("exec: no write watching; commits and rollbacks compare whole heaps", "reason", err)
		})
		return
	}
	if err := w.watch(live); err != nil {
		slog.Warn("exec: write watching failed; this instance compares whole heaps", "error", err)
		i.watched = nil
		return
	}
	i.watched = live
}

// eachWritten calls fn with the offset of every page below n written since
// the memory was last protected, if the watch knows them: the memory is
// watched, has not moved, and is n bytes as when it was protected. With
// protect they are protected again (Commit, which only reads them);
// without, rewatch must (Rollback writes them back first).
func (i *Instance) eachWritten(live []byte, n int, protect bool, fn func(off int)) bool {
	if i.watched == nil || len(i.watched) != n || unsafe.SliceData(i.watched) != unsafe.SliceData(live) {
		return false
	}
	w, _ := writeWatcher()
	var pages []int
	if err := w.written(i.watched, protect, func(off int) { pages = append(pages, off) }); err != nil {
		slog.Warn("exec: write watching failed; this instance compares whole heaps", "error", err)
		i.watched = nil
		return false
	}
	for _, off := range pages {
		fn(off)
	}
	return true
}

// rewatch protects live again after a Commit or Rollback: what was written
// in the watched part (a whole-heap pass did not ask, a rollback wrote its
// pages back) unless clean says nothing was, and a part the memory grew by.
func (i *Instance) rewatch(live []byte, clean bool) {
	if i.watched == nil {
		// Not watched yet: perhaps grown large enough now.
		i.startWatch()
		return
	}
	if unsafe.SliceData(i.watched) != unsafe.SliceData(live) || len(live) < len(i.watched) {
		// The memory moved (grown past its reservation): start over on
		// the memory as it is.
		i.watched = nil
		i.startWatch()
		return
	}
	w, _ := writeWatcher()
	if !clean {
		if err := w.written(i.watched, true, func(int) {}); err != nil {
			slog.Warn("exec: write watching failed; this instance compares whole heaps", "error", err)
			i.watched = nil
			return
		}
	}
	if len(live) > len(i.watched) {
		if err := w.watch(live[len(i.watched):]); err != nil {
			slog.Warn("exec: write watching failed; this instance compares whole heaps", "error", err)
			i.watched = nil
			return
		}
	}
	i.watched = live
}
