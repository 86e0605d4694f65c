//go:build linux

package exec

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Write watching: which 4 KiB pages of a wasm memory were written since the
// last look, so that Commit and Rollback touch those pages only instead of
// comparing the whole heap with its committed copy after every message
// (what made a rollout over a 200 MB registry heap and every query of a
// large canister slow).
//
// The kernel does it (Linux 6.7 and later): the memory is registered with a
// userfaultfd in asynchronous write-protect mode (UFFD_FEATURE_WP_ASYNC),
// so a write to a protected page only unprotects it, with no fault handler
// thread (none that the Go scheduler or wasmtime's own signal handlers
// could get in the way of); PAGEMAP_SCAN on /proc/self/pagemap then lists
// the unprotected ("written") pages and protects them again in the same
// call. UFFD_FEATURE_WP_UNPOPULATED makes pages never touched count as
// protected too. Every write is seen, whoever makes it: the canister's
// code, wasmtime, or the replica's Go code.
//
// Where any of it is missing, instances fall back to the whole-heap
// compare: the result is the same, only slower.

// The kernel's ABI (linux/userfaultfd.h, linux/fs.h; amd64's syscall
// number, which the syscall package does not name).
const (
	sysUserfaultfd           = 323
	uffdAPI                  = 0xAA
	uffdioAPI                = 0xC018AA3F // _IOWR(0xAA, 0x3F, struct uffdio_api)
	uffdioRegister           = 0xC020AA00 // _IOWR(0xAA, 0x00, struct uffdio_register)
	uffdioWriteprotect       = 0xC018AA06 // _IOWR(0xAA, 0x06, struct uffdio_writeprotect)
	uffdRegisterModeWP       = 1 << 1
	uffdWriteprotectModeWP   = 1 << 0
	uffdFeatureWPUnpopulated = 1 << 13
	uffdFeatureWPAsync       = 1 << 15
	uffdUserModeOnly         = 1

	pagemapScan       = 0xC0606610 // _IOWR('f', 16, struct pm_scan_arg)
	pmScanWPMatching  = 1 << 0
	pmScanCheckWPAsyn = 1 << 1
	pageIsWritten     = 1 << 1
)

type uffdioAPIArg struct{ api, features, ioctls uint64 }

type uffdioRange struct{ start, len uint64 }

type uffdioRegisterArg struct {
	rng          uffdioRange
	mode, ioctls uint64
}

type uffdioWriteprotectArg struct {
	rng  uffdioRange
	mode uint64
}

type pmScanArg struct {
	size, flags, start, end, walkEnd, vec, vecLen, maxPages uint64
	categoryInverted, categoryMask, categoryAnyofMask       uint64
	returnMask                                              uint64
}

type pageRegion struct{ start, end, categories uint64 }

// watcher is the process's one userfaultfd and pagemap file, shared by
// every watched memory (one descriptor each per instance would run a
// large fleet out of file descriptors).
type watcher struct{ uffd, pagemap int }

var (
	theWatcher     *watcher
	theWatcherErr  error
	theWatcherOnce sync.Once
)

// writeWatcher is the process's watcher, or why there is none.
func writeWatcher() (*watcher, error) {
	theWatcherOnce.Do(func() {
		if os.Getenv("CANISTRY_REPLICA_WRITE_WATCH") == "off" {
			theWatcherErr = errors.New("turned off by CANISTRY_REPLICA_WRITE_WATCH=off")
			return
		}
		theWatcher, theWatcherErr = openWatcher()
	})
	return theWatcher, theWatcherErr
}

func openWatcher() (*watcher, error) {
	// Kernel-mode faults are not needed (async write-protection resolves
	// them without the descriptor), so an unprivileged process may use
	// user-mode-only descriptors where full ones are refused.
	uffd, _, errno := syscall.Syscall(sysUserfaultfd, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0, 0)
	if errno != 0 {
		uffd, _, errno = syscall.Syscall(sysUserfaultfd, syscall.O_CLOEXEC|syscall.O_NONBLOCK|uffdUserModeOnly, 0, 0)
	}
	if errno != 0 {
		return nil, fmt.Errorf("userfaultfd: %w", errno)
	}
	api := uffdioAPIArg{api: uffdAPI, features: uffdFeatureWPAsync | uffdFeatureWPUnpopulated}
	if err := ioctl(int(uffd), uffdioAPI, unsafe.Pointer(&api)); err != nil {
		syscall.Close(int(uffd))
		return nil, fmt.Errorf("userfaultfd without asynchronous write-protection (Linux 6.7+): %w", err)
	}
	pm, err := syscall.Open("/proc/self/pagemap", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		syscall.Close(int(uffd))
		return nil, fmt.Errorf("open /proc/self/pagemap: %w", err)
	}
	w := &watcher{uffd: int(uffd), pagemap: pm}
	if err := w.selfTest(); err != nil {
		syscall.Close(int(uffd))
		syscall.Close(pm)
		return nil, err
	}
	return w, nil
}

// selfTest watches two pages of its own: a write to one must be reported,
// once, and the untouched one never.
func (w *watcher) selfTest() error {
	b, err := syscall.Mmap(-1, 0, 2*DeltaPageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return err
	}
	defer syscall.Munmap(b)
	if err := w.watch(b); err != nil {
		return err
	}
	b[DeltaPageSize+7] = 1
	var first, second []int
	if err := w.written(b, true, func(off int) { first = append(first, off) }); err != nil {
		return err
	}
	if err := w.written(b, true, func(off int) { second = append(second, off) }); err != nil {
		return err
	}
	if len(first) != 1 || first[0] != DeltaPageSize || len(second) != 0 {
		return fmt.Errorf("write watch self-test: saw %v then %v, want [%d] then []", first, second, DeltaPageSize)
	}
	return nil
}

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

func span(mem []byte) uffdioRange {
	return uffdioRange{start: uint64(uintptr(unsafe.Pointer(unsafe.SliceData(mem)))), len: uint64(len(mem))}
}

// watch registers mem (page-aligned, whole pages) and protects all of it:
// from now on written reports the pages written in it.
func (w *watcher) watch(mem []byte) error {
	if len(mem) == 0 {
		return nil
	}
	reg := uffdioRegisterArg{rng: span(mem), mode: uffdRegisterModeWP}
	if err := ioctl(w.uffd, uffdioRegister, unsafe.Pointer(&reg)); err != nil {
		return fmt.Errorf("userfaultfd register: %w", err)
	}
	wp := uffdioWriteprotectArg{rng: span(mem), mode: uffdWriteprotectModeWP}
	if err := ioctl(w.uffd, uffdioWriteprotect, unsafe.Pointer(&wp)); err != nil {
		return fmt.Errorf("userfaultfd write-protect: %w", err)
	}
	return nil
}

// written calls fn with the offset of every page of mem written since the
// last protection (watch, or written with protect), in order; with protect
// it protects them again in the same pass.
func (w *watcher) written(mem []byte, protect bool, fn func(off int)) error {
	flags := uint64(pmScanCheckWPAsyn)
	if protect {
		flags |= pmScanWPMatching
	}
	return scanPages(w.pagemap, mem, pmScanArg{flags: flags, categoryMask: pageIsWritten, returnMask: pageIsWritten}, fn)
}

// scanPages runs PAGEMAP_SCAN over mem with query's flags and category
// masks and calls fn, in order, with the offset of every page it reports.
// On an error fn may have seen some of them.
func scanPages(pagemap int, mem []byte, query pmScanArg, fn func(off int)) error {
	if len(mem) == 0 {
		return nil
	}
	var regions [64]pageRegion
	base := span(mem).start
	start, end := base, base+uint64(len(mem))
	for start < end {
		arg := query
		arg.size, arg.start, arg.end = uint64(unsafe.Sizeof(pmScanArg{})), start, end
		arg.vec, arg.vecLen = uint64(uintptr(unsafe.Pointer(&regions[0]))), uint64(len(regions))
		n, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(pagemap), pagemapScan, uintptr(unsafe.Pointer(&arg)))
		if errno != 0 {
			return fmt.Errorf("PAGEMAP_SCAN: %w", errno)
		}
		for _, r := range regions[:n] {
			for p := r.start; p < r.end; p += DeltaPageSize {
				fn(int(p - base))
			}
		}
		if arg.walkEnd <= start {
			return fmt.Errorf("PAGEMAP_SCAN made no progress at %#x", start)
		}
		start = arg.walkEnd
	}
	return nil
}
