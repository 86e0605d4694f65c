package exec

import (
	"bytes"
	"fmt"
)

// Restoring an instance copies whole memories: from the store's buffer into
// the wasm memory, and from there into the committed copy. Writing a page of
// zeros into memory that is still untouched makes the system commit it, so
// an idle canister restored from disk would cost its full heap size twice
// in resident memory even where the heap is empty. These copies skip the
// pages that are zero on both sides.

var zeroDeltaPage [DeltaPageSize]byte

// copySparse makes dst equal src (of the same length), leaving untouched
// the pages that are zero in both.
func copySparse(dst, src []byte) {
	for off := 0; off < len(src); off += DeltaPageSize {
		end := min(off+DeltaPageSize, len(src))
		s, d := src[off:end], dst[off:end]
		if bytes.Equal(s, zeroDeltaPage[:len(s)]) && bytes.Equal(d, zeroDeltaPage[:len(d)]) {
			continue
		}
		copy(d, s)
	}
}

// cloneSparse is a copy of b that leaves its zero pages untouched (a fresh
// large allocation comes zeroed from the system).
func cloneSparse(b []byte) []byte {
	if b == nil {
		return nil
	}
	out := make([]byte, len(b))
	copySparse(out, b)
	return out
}

// restoreSparse makes dst, the memory of a just-built instance, equal src.
// fresh marks dst's pages that building left non-zero (data segments);
// every other page of dst is still zero, so where src is zero too it is
// neither read nor written — reading an untouched page would fault it in.
// also, if not nil, is zero throughout and gets src's non-zero pages too.
func restoreSparse(dst, src []byte, fresh []bool, also []byte) {
	for off := 0; off < len(src); off += DeltaPageSize {
		end := min(off+DeltaPageSize, len(src))
		s, d := src[off:end], dst[off:end]
		switch {
		case !bytes.Equal(s, zeroDeltaPage[:len(s)]):
			copy(d, s)
			if also != nil {
				copy(also[off:end], s)
			}
		case off/DeltaPageSize < len(fresh) && fresh[off/DeltaPageSize]:
			clear(d)
		}
	}
}

// restorePages makes dst, the memory of a just-built instance, equal the
// memory whose non-zero 4 KiB pages are pages (zero elsewhere). Only those
// pages and the fresh ones (see restoreSparse) are touched; also, if not
// nil, is zero throughout and gets the pages too.
func restorePages(dst []byte, pages map[uint64][]byte, fresh []bool, also []byte) error {
	for p, nonZero := range fresh {
		if _, ok := pages[uint64(p)]; nonZero && !ok {
			clear(dst[p*DeltaPageSize : min((p+1)*DeltaPageSize, len(dst))])
		}
	}
	for idx, page := range pages {
		off := idx * DeltaPageSize
		if len(page) != DeltaPageSize || idx >= uint64(len(dst))/DeltaPageSize {
			return fmt.Errorf("heap page %d (%d bytes) does not fit a %d-byte heap in 4 KiB pages", idx, len(page), len(dst))
		}
		copy(dst[off:], page)
		if also != nil {
			copy(also[off:], page)
		}
	}
	return nil
}

// copyFresh copies into dst, zero throughout, the pages that fresh marks
// in src, the memory of a just-built instance (zero elsewhere).
func copyFresh(dst, src []byte, fresh []bool) {
	for p, nonZero := range fresh {
		if nonZero {
			off := p * DeltaPageSize
			end := min(off+DeltaPageSize, len(src))
			copy(dst[off:end], src[off:end])
		}
	}
}

// freshPages marks the non-zero pages of mem, the memory of a just-built
// instance of m, and remembers them: every fresh instance of m starts the
// same.
func (m *Module) freshPages(mem []byte) []bool {
	if f := m.fresh.Load(); f != nil {
		return *f
	}
	f := make([]bool, (len(mem)+DeltaPageSize-1)/DeltaPageSize)
	for p := range f {
		end := min((p+1)*DeltaPageSize, len(mem))
		f[p] = !bytes.Equal(mem[p*DeltaPageSize:end], zeroDeltaPage[:end-p*DeltaPageSize])
	}
	m.fresh.Store(&f)
	return f
}
