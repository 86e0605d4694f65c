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

// startWatch protects the whole memory of a just-built instance.
func (i *Instance) startWatch() {
	live := i.liveHeap()
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
// watched, has not moved, and is n bytes as when it was protected.
func (i *Instance) eachWritten(live []byte, n int, fn func(off int)) bool {
	if i.watched == nil || len(i.watched) != n || unsafe.SliceData(i.watched) != unsafe.SliceData(live) {
		return false
	}
	w, _ := writeWatcher()
	var pages []int
	if err := w.written(i.watched, func(off int) { pages = append(pages, off) }); err != nil {
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
	if i.watched == nil || unsafe.SliceData(i.watched) != unsafe.SliceData(live) || len(live) < len(i.watched) {
		// Not watched, or the memory moved (grown past its reservation):
		// start over on the memory as it is.
		if i.watched != nil {
			i.watched = nil
			i.startWatch()
		}
		return
	}
	w, _ := writeWatcher()
	if !clean {
		if err := w.written(i.watched, func(int) {}); err != nil {
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
