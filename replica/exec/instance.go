package exec

import (
	"bytes"
	"fmt"
	"log/slog"
	"runtime"
	"weak"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Instance is a module instantiated with its own wasmtime store, plus the
// committed state it returns to on Rollback. An Instance must not be used by
// two goroutines at once; different instances may run in parallel.
type Instance struct {
	engine *Engine
	module *Module

	store   *wasmtime.Store
	wasm    *wasmtime.Instance
	mem     *wasmtime.Memory
	table   *wasmtime.Table
	globals []*wasmtime.Global

	// The committed state: a private copy of the heap, the stable memory's
	// journal, and the globals.
	heap          []byte
	heapMem       *heapMapping // what heap lies in unless it was handed over
	stable        *stableMemory
	globalsCommit []Global

	// watched is the wasm memory as write watching last protected it
	// (writewatch_linux.go); nil: not watched, Commit and Rollback compare
	// the whole heap.
	watched []byte
	// differ is eachMaybeDifferent's page marks, kept between calls.
	differ []bool

	cur     *execution // the running execution, for host functions
	trapped bool       // the last Run trapped and was not rolled back yet
	broken  error      // a failed rebuild left the instance unusable
}

// Instantiate creates an instance of m.
//
// with == nil: fresh module state (the start function is NOT run: the caller
// runs KindStart, then KindInit). with != nil: Heap, Stable and Globals are
// restored exactly (restart from disk). with.Globals == nil keeps the fresh
// instance's globals (EOP upgrade with Keep: old heap and stable memory, new
// globals; the caller then runs KindStart and KindPostUpgrade). with.Heap ==
// nil keeps the fresh instance's heap (upgrade with Replace: only the stable
// memory carries over).
func (e *Engine) Instantiate(m *Module, with *State) (*Instance, error) {
	inst := &Instance{engine: e, module: m, heapMem: &heapMapping{}}
	runtime.AddCleanup(inst, func(h *heapMapping) { h.free() }, inst.heapMem)
	if err := inst.build(); err != nil {
		return nil, err
	}
	var committed []byte
	saved := with.saved()
	if saved != nil && inst.mem != nil {
		// restore writes the heap's non-zero pages into the committed
		// copy in the same pass as into the wasm memory.
		committed = inst.heapMem.replace(nil, saved.size, saved.size)
	}
	var stable []byte
	if with != nil {
		if err := inst.restore(saved, with.Globals, committed); err != nil {
			inst.Close()
			return nil, err
		}
		stable = with.Stable
		if !with.Handover {
			stable = cloneSparse(stable)
		}
		if len(stable)%PageSize != 0 {
			inst.Close()
			return nil, fmt.Errorf("stable memory of %d bytes is not a whole number of pages", len(stable))
		}
	}
	inst.stable = newStableMemory(stable)
	if committed != nil {
		inst.heap = committed
	} else {
		// The memory is just built: only the module's fresh pages can
		// be non-zero, and only they are read.
		live := inst.liveHeap()
		inst.heap = inst.heapMem.replace(nil, len(live), len(live))
		copyFresh(inst.heap, live, m.freshPages(live))
	}
	inst.globalsCommit = inst.readGlobals()
	inst.startWatch()
	return inst, nil
}

// build creates the store and the wasmtime instance and looks up the
// instrumentation exports. The instance's fields change only on success.
func (i *Instance) build() error {
	// The store's data points back at the instance weakly: a strong pointer
	// would make wasmtime-go's global store table keep every unclosed
	// instance (and its store) alive forever.
	store := wasmtime.NewStoreWithData(i.engine.wasm, weak.Make(i))
	linker, maxHeap := i.engine.linker32, uint64(maxHeap32)
	if i.module.Is64 {
		linker, maxHeap = i.engine.linker64, i.engine.cfg.MaxWasm64Memory
	}
	// memory.grow beyond the limit returns -1, as on the IC.
	store.Limiter(int64(maxHeap), -1, -1, -1, -1)
	// Instantiation runs no canister code (the start section was removed),
	// only active data and element segments: it needs no fuel.
	if err := store.SetFuel(0); err != nil {
		store.Close()
		return fmt.Errorf("set fuel: %w", err)
	}
	w, err := linker.Instantiate(store, i.module.compiled)
	if err != nil {
		store.Close()
		return fmt.Errorf("instantiate: %w", err)
	}
	globals := make([]*wasmtime.Global, len(i.module.layout.globalNames))
	for n, name := range i.module.layout.globalNames {
		ex := w.GetExport(store, name)
		if ex == nil || ex.Global() == nil {
			store.Close()
			return fmt.Errorf("instrumented global %s is missing", name)
		}
		globals[n] = ex.Global()
	}
	i.store, i.wasm, i.globals, i.mem, i.table = store, w, globals, nil, nil
	if ex := w.GetExport(store, exportMemory); ex != nil {
		i.mem = ex.Memory()
	}
	if ex := w.GetExport(store, exportTable); ex != nil {
		i.table = ex.Table()
	}
	return nil
}

// maxHeap32 is the reach of a 32-bit memory.
const maxHeap32 = 4 << 30

// savedHeap is a heap to restore: whole, or as its non-zero pages.
type savedHeap struct {
	size  int
	whole []byte            // nil when pages is used
	pages map[uint64][]byte // 4 KiB pages by index
}

// saved is the heap s gives Instantiate; nil when it keeps the fresh one.
func (s *State) saved() *savedHeap {
	switch {
	case s == nil:
		return nil
	case s.HeapPages != nil:
		return &savedHeap{size: int(s.HeapSize), pages: s.HeapPages}
	case s.Heap != nil:
		return &savedHeap{size: len(s.Heap), whole: s.Heap}
	}
	return nil
}

// restore overwrites the fresh instance's heap (growing it to the saved
// size) and globals; nil keeps the fresh instance's. committed, if not nil,
// is a zeroed buffer of the heap's size that receives a copy of it too.
func (i *Instance) restore(heap *savedHeap, globals []Global, committed []byte) error {
	if heap != nil {
		if err := i.setHeap(heap, committed); err != nil {
			return err
		}
	}
	if globals == nil {
		return nil
	}
	return i.writeGlobals(globals)
}

// setHeap puts heap into the memory of i, which is just built (Instantiate,
// rebuild): nothing but its data segments is in it yet.
func (i *Instance) setHeap(heap *savedHeap, committed []byte) error {
	if i.mem == nil {
		if heap.size != 0 {
			return fmt.Errorf("module declares no memory but the state has a %d-byte heap", heap.size)
		}
		return nil
	}
	if heap.size%PageSize != 0 {
		return fmt.Errorf("heap of %d bytes is not a whole number of pages", heap.size)
	}
	want, have := uint64(heap.size)/PageSize, i.mem.Size(i.store)
	if want < have {
		return fmt.Errorf("saved heap has %d pages, fewer than the module's minimum of %d", want, have)
	}
	if want > have {
		if _, err := i.mem.Grow(i.store, want-have); err != nil {
			return fmt.Errorf("grow memory to %d pages: %w", want, err)
		}
	}
	live := i.mem.UnsafeData(i.store)
	fresh := i.module.freshPages(live[:have*PageSize])
	if heap.pages != nil {
		return restorePages(live, heap.pages, fresh, committed)
	}
	restoreSparse(live, heap.whole, fresh, committed)
	return nil
}

func (i *Instance) writeGlobals(globals []Global) error {
	types := i.module.layout.globals
	if len(globals) != len(types) {
		return fmt.Errorf("state has %d globals, the module exports %d mutable globals", len(globals), len(types))
	}
	for n, g := range globals {
		if g.Type != types[n] {
			return fmt.Errorf("global %s has type %s in the state and %s in the module", i.module.layout.globalNames[n], g.Type, types[n])
		}
		if err := i.globals[n].Set(i.store, g.val()); err != nil {
			return fmt.Errorf("set global %s: %w", i.module.layout.globalNames[n], err)
		}
	}
	return nil
}

func (i *Instance) readGlobals() []Global {
	out := make([]Global, len(i.globals))
	for n, g := range i.globals {
		out[n] = globalFromVal(i.module.layout.globals[n], g.Get(i.store))
	}
	return out
}

func (i *Instance) liveHeap() []byte {
	if i.mem == nil {
		return nil
	}
	return i.mem.UnsafeData(i.store)
}

// Module is the module this instance runs.
func (i *Instance) Module() *Module { return i.module }

// State returns a full copy of the committed state.
func (i *Instance) State() *State {
	return &State{
		Heap:    append([]byte(nil), i.heap...),
		Stable:  i.stable.committed(),
		Globals: append([]Global(nil), i.globalsCommit...),
	}
}

// Committed returns the whole committed state as a delta from empty
// memories: the sizes, a copy of every non-zero 4 KiB page, the globals.
// Unlike State it does not copy the zero pages: a heap-sized copy of a
// mostly-zero heap is resident memory for nothing.
func (i *Instance) Committed() *Delta {
	return &Delta{
		HeapSize:    uint64(len(i.heap)),
		HeapPages:   nonZeroPages(i.heap),
		StableSize:  i.stable.committedSize,
		StablePages: nonZeroPages(i.stable.committed()),
		Globals:     append([]Global(nil), i.globalsCommit...),
	}
}

// nonZeroPages copies the 4 KiB pages of mem that are not all zero, keyed
// by page index.
func nonZeroPages(mem []byte) map[uint64][]byte {
	pages := map[uint64][]byte{}
	for off := 0; off < len(mem); off += DeltaPageSize {
		end := min(off+DeltaPageSize, len(mem))
		if p := mem[off:end]; !bytes.Equal(p, zeroDeltaPage[:len(p)]) {
			pages[uint64(off/DeltaPageSize)] = append(make([]byte, 0, DeltaPageSize), p...)
		}
	}
	return pages
}

// Commit makes the state left by the last Run the committed state and
// returns what changed.
//
// Committing a trapped execution would persist half-done work, which the
// IC never does: after a trap Commit rolls back instead and returns a
// delta without pages (and logs the caller's mistake).
func (i *Instance) Commit() *Delta {
	if i.trapped {
		slog.Error("exec: Commit after a trapped execution; rolling back instead")
		if err := i.Rollback(); err != nil {
			slog.Error("exec: rollback failed", "error", err)
		}
		return &Delta{HeapSize: uint64(len(i.heap)), StableSize: i.stable.committedSize,
			Globals: append([]Global(nil), i.globalsCommit...)}
	}
	d := &Delta{HeapPages: i.commitHeap()}
	d.HeapSize = uint64(len(i.heap))
	d.StablePages = i.stable.commit()
	d.StableSize = i.stable.committedSize
	i.globalsCommit = i.readGlobals()
	d.Globals = append([]Global(nil), i.globalsCommit...)
	return d
}

// commitHeap copies the changed 4 KiB pages into the committed heap. Pages
// of grown memory count as changed when they are not all zero.
func (i *Instance) commitHeap() map[uint64][]byte {
	live := i.liveHeap()
	changed := map[uint64][]byte{}
	old := len(i.heap)
	commitPage := func(off int) {
		if !bytes.Equal(live[off:off+DeltaPageSize], i.heap[off:off+DeltaPageSize]) {
			copy(i.heap[off:], live[off:off+DeltaPageSize])
			changed[uint64(off/DeltaPageSize)] = append([]byte(nil), live[off:off+DeltaPageSize]...)
		}
	}
	watched := i.eachWritten(live, old, true, commitPage)
	if !watched && !i.eachMaybeDifferent(live, old, commitPage) {
		for off := 0; off < old; off += DeltaPageSize {
			commitPage(off)
		}
	}
	// A watched pass protected what it visited; nothing wrote since.
	defer i.rewatch(live, watched)
	if len(live) > old {
		i.growCommitted(len(live))
		copySparse(i.heap[old:], live[old:])
		for off := old; off < len(live); off += DeltaPageSize {
			page := live[off : off+DeltaPageSize]
			if !isZero(page) {
				changed[uint64(off/DeltaPageSize)] = append([]byte(nil), page...)
			}
		}
	}
	return changed
}

// growCommitted lengthens the committed heap to n bytes. A new mapping
// (with room for later growth) gets only the non-zero pages copied, so the
// committed copy stays as sparse in resident memory as the heap.
func (i *Instance) growCommitted(n int) {
	if cap(i.heap) < n {
		i.heap = i.heapMem.replace(i.heap, len(i.heap), n+n/4)
	}
	i.heap = i.heap[:n]
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Rollback restores the committed state exactly: heap (contents and size),
// stable memory and globals.
func (i *Instance) Rollback() error {
	i.trapped = false
	i.stable.rollback()
	live := i.liveHeap()
	if len(live) != len(i.heap) {
		// Wasm memory cannot shrink: rebuild the instance from the
		// committed state.
		return i.rebuild()
	}
	restorePage := func(off int) {
		if !bytes.Equal(live[off:off+DeltaPageSize], i.heap[off:off+DeltaPageSize]) {
			copy(live[off:off+DeltaPageSize], i.heap[off:off+DeltaPageSize])
		}
	}
	// Listed, not protected yet: restoring writes them again, and one
	// protecting pass after it covers both.
	watched := i.eachWritten(live, len(live), false, restorePage)
	if !watched && !i.eachMaybeDifferent(live, len(live), restorePage) {
		for off := 0; off < len(live); off += DeltaPageSize {
			restorePage(off)
		}
	}
	i.rewatch(live, false)
	return i.writeGlobals(i.globalsCommit)
}

func (i *Instance) rebuild() error {
	old := i.store
	if err := i.build(); err != nil {
		i.broken = fmt.Errorf("rebuild instance for rollback: %w", err)
		return i.broken
	}
	old.Close()
	if err := i.restore(&savedHeap{size: len(i.heap), whole: i.heap}, i.globalsCommit, nil); err != nil {
		i.broken = fmt.Errorf("restore committed state for rollback: %w", err)
		return i.broken
	}
	i.watched = nil // a new memory
	i.startWatch()
	return nil
}

// Close releases the wasmtime store and the committed heap; the instance
// must not be used afterwards. (An instance that is dropped without Close
// is released by the garbage collector, later.)
func (i *Instance) Close() {
	if i.store != nil {
		i.store.Close()
		i.store = nil
	}
	i.heap = nil // it may lie in the mapping freed next
	i.heapMem.free()
}

func principalText(raw []byte) string {
	return principal.Principal{Raw: raw}.String()
}

// liveState copies the instance's current (possibly uncommitted) state.
func (i *Instance) liveState() *State {
	return &State{
		Heap:    append([]byte(nil), i.liveHeap()...),
		Stable:  append([]byte(nil), i.stable.data...),
		Globals: i.readGlobals(),
	}
}
