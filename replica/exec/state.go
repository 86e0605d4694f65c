package exec

import (
	"math"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// PageSize is the wasm page size (heap and stable memory).
const PageSize = 64 << 10

// DeltaPageSize is the granularity of change tracking and of Delta pages.
const DeltaPageSize = 4 << 10

// GlobalType is the value type of a persisted global. The values are the
// wasm binary encodings of the types.
type GlobalType uint8

// The value types a persisted (mutable, exported) global may have.
const (
	GlobalI32 GlobalType = 0x7f
	GlobalI64 GlobalType = 0x7e
	GlobalF32 GlobalType = 0x7d
	GlobalF64 GlobalType = 0x7c
)

func (t GlobalType) String() string {
	switch t {
	case GlobalI32:
		return "i32"
	case GlobalI64:
		return "i64"
	case GlobalF32:
		return "f32"
	case GlobalF64:
		return "f64"
	}
	return "unknown"
}

func globalTypeOf(valType byte) (GlobalType, bool) {
	switch t := GlobalType(valType); t {
	case GlobalI32, GlobalI64, GlobalF32, GlobalF64:
		return t, true
	}
	return 0, false
}

// Global is the value of one persisted global: its type and raw bits (i32
// and f32 use the low 32 bits).
type Global struct {
	Type GlobalType
	Bits uint64
}

func globalFromVal(t GlobalType, v wasmtime.Val) Global {
	switch t {
	case GlobalI32:
		return Global{Type: t, Bits: uint64(uint32(v.I32()))}
	case GlobalI64:
		return Global{Type: t, Bits: uint64(v.I64())}
	case GlobalF32:
		return Global{Type: t, Bits: uint64(math.Float32bits(v.F32()))}
	default:
		return Global{Type: t, Bits: math.Float64bits(v.F64())}
	}
}

func (g Global) val() wasmtime.Val {
	switch g.Type {
	case GlobalI32:
		return wasmtime.ValI32(int32(uint32(g.Bits)))
	case GlobalI64:
		return wasmtime.ValI64(int64(g.Bits))
	case GlobalF32:
		return wasmtime.ValF32(math.Float32frombits(uint32(g.Bits)))
	default:
		return wasmtime.ValF64(math.Float64frombits(g.Bits))
	}
}

// State is the full persistent execution state of an instance.
type State struct {
	Heap    []byte   // wasm memory contents (len = pages*64KiB)
	Stable  []byte   // stable memory (len = pages*64KiB)
	Globals []Global // values of the exported mutable globals, in index order
	// HeapPages, if not nil, gives Instantiate the heap in place of Heap:
	// its non-zero 4 KiB pages by page index, of HeapSize bytes in all. A
	// restore from disk then writes only those pages; a whole buffer of
	// the heap would be a heap-sized allocation to fill and scan each time.
	HeapPages map[uint64][]byte
	HeapSize  uint64
	// Handover gives Instantiate Stable to keep as the instance's committed
	// copy instead of copying it: the caller must not use Heap or Stable
	// afterwards. (A restore from disk reads buffers for this only; copying
	// megabytes again cost a cold query most of its time. The heap's
	// non-zero pages are copied into the committed heap's mapping in the
	// same pass that restores them into the wasm memory: kept as it was,
	// a Go buffer the runtime had zeroed would stay resident whole.)
	Handover bool
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	return &State{
		Heap:    append([]byte(nil), s.Heap...),
		Stable:  append([]byte(nil), s.Stable...),
		Globals: append([]Global(nil), s.Globals...),
	}
}

// Delta is what one Commit changed: the 4 KiB pages of heap and stable memory
// that differ from the previous committed state (keyed by page index, i.e.
// byte offset / 4096), the new sizes in bytes, and all globals.
type Delta struct {
	HeapSize    uint64
	HeapPages   map[uint64][]byte
	StableSize  uint64
	StablePages map[uint64][]byte
	Globals     []Global
}

// Empty reports whether the delta changes no memory page. (Globals are
// always carried.)
func (d *Delta) Empty() bool {
	return len(d.HeapPages) == 0 && len(d.StablePages) == 0
}

// Apply applies the delta to s in place: memories are resized (new bytes
// zeroed) and the changed pages written; globals replaced.
func (d *Delta) Apply(s *State) {
	s.Heap = applyPages(s.Heap, d.HeapSize, d.HeapPages)
	s.Stable = applyPages(s.Stable, d.StableSize, d.StablePages)
	s.Globals = append(s.Globals[:0], d.Globals...)
}

func applyPages(mem []byte, size uint64, pages map[uint64][]byte) []byte {
	mem = resizeZeroed(mem, size)
	for idx, page := range pages {
		copy(mem[idx*DeltaPageSize:], page)
	}
	return mem
}

// resizeZeroed returns mem with length size; bytes beyond the old length
// are zero even when the backing array is reused.
func resizeZeroed(mem []byte, size uint64) []byte {
	old := uint64(len(mem))
	if size <= old {
		return mem[:size]
	}
	if size <= uint64(cap(mem)) {
		mem = mem[:size]
		clear(mem[old:])
		return mem
	}
	grown := make([]byte, size)
	copy(grown, mem)
	return grown
}
