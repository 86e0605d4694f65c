package exec

import (
	"bytes"
	"log/slog"
	"sync"
	"syscall"
)

// The committed copy of a heap is as large as the heap, megabytes even for a
// fresh Motoko canister whose heap is almost all zero. Allocated with make,
// it comes from the Go heap, which zeroes reused memory before handing it
// out: every page of the copy became resident although only its non-zero
// pages were ever written. An anonymous private mapping is zero without
// being written, so only the pages written into it are resident, and it is
// returned to the system as soon as the instance is closed.

// heapMapping owns the mapping that an instance's committed heap lies in.
// It is released explicitly (Close, or when the copy grows into a new
// mapping); a cleanup on the instance releases it too if an instance is
// dropped without Close, as wasmtime-go does for the store.
type heapMapping struct {
	mu sync.Mutex // the cleanup runs on another goroutine
	b  []byte     // the whole mapping; nil when none
}

// replace returns a copy of from with length n (at least len(from)) and
// room for capacity bytes, in a new mapping, and then releases the previous
// mapping, which from may lie in. Where the system refuses the mapping the
// copy lives in Go memory.
func (h *heapMapping) replace(from []byte, n, capacity int) []byte {
	if capacity == 0 {
		h.free()
		return nil
	}
	b, err := syscall.Mmap(-1, 0, capacity, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		slog.Warn("exec: mapping the committed heap failed; it lives in Go memory", "bytes", capacity, "error", err)
		b = make([]byte, capacity)
	}
	copyInto(b, from)
	h.free()
	if err == nil {
		h.mu.Lock()
		h.b = b
		h.mu.Unlock()
	}
	return b[:n]
}

// free unmaps the mapping. Nothing may use a slice of it afterwards.
func (h *heapMapping) free() {
	if h == nil {
		return
	}
	h.mu.Lock()
	b := h.b
	h.b = nil
	h.mu.Unlock()
	if b != nil {
		if err := syscall.Munmap(b); err != nil {
			slog.Error("exec: unmapping a committed heap", "error", err)
		}
	}
}

// copyInto makes dst, zero throughout (just allocated), equal src (of the
// at most its length) by writing only src's non-zero pages: dst's other
// pages are neither read nor written, so they stay unmapped.
func copyInto(dst, src []byte) {
	for off := 0; off < len(src); off += DeltaPageSize {
		end := min(off+DeltaPageSize, len(src))
		if s := src[off:end]; !bytes.Equal(s, zeroDeltaPage[:len(s)]) {
			copy(dst[off:end], s)
		}
	}
}
