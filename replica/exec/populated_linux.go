//go:build linux

package exec

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Populated pages: an anonymous page that was never written holds zeros
// whether or not it was ever read (a read maps the system's one zero page),
// so two memories can differ only where one of them has a page of its own.
// PAGEMAP_SCAN (Linux 6.7+) lists those pages — present and not the zero
// page, or swapped out — in a few regions per call, so a whole-heap compare
// reads only them. Reading the rest, as a plain compare does, costs a fault
// per page the first time (most of a just-restored instance's heap: what
// made a query to an evicted canister slow) and a pass over the zero page
// every time after.

const (
	pageIsPresent = 1 << 3
	pageIsSwapped = 1 << 4
	pageIsPFNZero = 1 << 5
)

var (
	thePagemap     int
	thePagemapErr  error
	thePagemapOnce sync.Once
)

// pagemap is the process's /proc/self/pagemap for scanning, or why not.
func pagemap() (int, error) {
	thePagemapOnce.Do(func() {
		if os.Getenv("CANISTRY_REPLICA_PAGE_SCAN") == "off" {
			thePagemapErr = errors.New("turned off by CANISTRY_REPLICA_PAGE_SCAN=off")
			return
		}
		fd, err := syscall.Open("/proc/self/pagemap", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			thePagemapErr = fmt.Errorf("open /proc/self/pagemap: %w", err)
			return
		}
		if err := scanSelfTest(fd); err != nil {
			syscall.Close(fd)
			thePagemapErr = err
			return
		}
		thePagemap = fd
	})
	return thePagemap, thePagemapErr
}

// scanSelfTest maps three pages, writes one and reads another: the written
// one must be listed and the untouched one not (the read one may be: a
// kernel that does not tell the zero page lists it, which costs only time).
func scanSelfTest(fd int) error {
	b, err := syscall.Mmap(-1, 0, 3*DeltaPageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return err
	}
	defer syscall.Munmap(b)
	b[DeltaPageSize+5] = 1
	_ = *(*byte)(unsafe.Pointer(&b[2*DeltaPageSize+5])) // read only
	var seen []int
	if err := scanPopulated(fd, b, func(off int) { seen = append(seen, off) }); err != nil {
		return err
	}
	if len(seen) == 0 || seen[0] != DeltaPageSize || len(seen) > 2 || (len(seen) == 2 && seen[1] != 2*DeltaPageSize) {
		return fmt.Errorf("page scan self-test: listed %v, want [%d] (and perhaps %d)", seen, DeltaPageSize, 2*DeltaPageSize)
	}
	return nil
}

// populated calls fn, in order, with the offset of every page of mem
// (page-aligned) that may hold something other than zeros; false when the
// system cannot tell (fn may have seen some pages then).
func populated(mem []byte, fn func(off int)) bool {
	fd, err := pagemap()
	if err != nil {
		logNoScan.Do(func() { slog.Info("exec: no page scan; commits and rollbacks compare whole heaps", "reason", err) })
		return false
	}
	if err := scanPopulated(fd, mem, fn); err != nil {
		logNoScan.Do(func() { slog.Warn("exec: page scan failed; this compare reads the whole heap", "error", err) })
		return false
	}
	return true
}

var logNoScan sync.Once

// scanPopulated lists the pages of mem that are not the zero page and are
// present or swapped out.
func scanPopulated(fd int, mem []byte, fn func(off int)) error {
	return scanPages(fd, mem, pmScanArg{
		categoryInverted: pageIsPFNZero, categoryMask: pageIsPFNZero,
		categoryAnyofMask: pageIsPresent | pageIsSwapped,
		returnMask:        pageIsPresent | pageIsSwapped,
	}, fn)
}
