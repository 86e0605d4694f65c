package exec

import (
	"github.com/canistry/canistry/replica/reject"
)

// stableMemory is the canister's stable memory, held in Go. Writes are
// journaled per 4 KiB page so that an execution can be committed (the
// journal names the changed pages) or rolled back (the journal holds their
// committed contents) without copying the whole memory.
type stableMemory struct {
	data          []byte
	committedSize uint64
	// journal maps a page index to its committed contents; nil for pages
	// that lay beyond the committed size.
	journal map[uint64][]byte
}

func newStableMemory(data []byte) *stableMemory {
	return &stableMemory{data: data, committedSize: uint64(len(data)), journal: map[uint64][]byte{}}
}

func (s *stableMemory) size() uint64  { return uint64(len(s.data)) }
func (s *stableMemory) pages() uint64 { return s.size() / PageSize }

// grow adds n pages, returning the previous page count, or -1 (as u64) if
// the memory would exceed maxPages.
func (s *stableMemory) grow(n, maxPages uint64) uint64 {
	old := s.pages()
	if n > maxPages || old > maxPages-n {
		return ^uint64(0)
	}
	s.data = resizeZeroed(s.data, (old+n)*PageSize)
	return old
}

func (s *stableMemory) write(offset uint64, src []byte) {
	if len(src) == 0 {
		return
	}
	end := offset + uint64(len(src))
	for p := offset / DeltaPageSize; p*DeltaPageSize < end; p++ {
		s.touch(p)
	}
	copy(s.data[offset:], src)
}

// touch saves the committed contents of a page before its first change.
func (s *stableMemory) touch(page uint64) {
	if _, ok := s.journal[page]; ok {
		return
	}
	start := page * DeltaPageSize
	if start >= s.committedSize {
		s.journal[page] = nil
		return
	}
	s.journal[page] = append([]byte(nil), s.data[start:start+DeltaPageSize]...)
}

// commit makes the current contents committed and returns the changed pages.
func (s *stableMemory) commit() map[uint64][]byte {
	changed := make(map[uint64][]byte, len(s.journal))
	for p := range s.journal {
		start := p * DeltaPageSize
		if start < s.size() {
			changed[p] = append([]byte(nil), s.data[start:start+DeltaPageSize]...)
		}
	}
	s.committedSize = s.size()
	clear(s.journal)
	return changed
}

// committed returns a copy of the committed contents.
func (s *stableMemory) committed() []byte {
	out := append([]byte(nil), s.data[:min(s.committedSize, s.size())]...)
	out = resizeZeroed(out, s.committedSize)
	for p, old := range s.journal {
		if old != nil {
			copy(out[p*DeltaPageSize:], old)
		}
	}
	return out
}

// rollback restores the committed contents and size.
func (s *stableMemory) rollback() {
	for p, old := range s.journal {
		if old != nil {
			copy(s.data[p*DeltaPageSize:], old)
		}
	}
	s.data = s.data[:s.committedSize]
	clear(s.journal)
}

func stableOutOfBounds(fn string) *reject.Error {
	return reject.New(reject.CanisterTrapped, "Canister trapped: stable memory out of bounds (in ic0.%s)", fn)
}
