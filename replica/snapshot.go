package replica

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// Canister snapshots (take, load, list, delete). A snapshot keeps what
// load_canister_snapshot puts back: the module (by hash), the heap, stable
// memory, globals, certified data, the global timer, and the canister
// version at the time. Snapshots are written in the round's batch like
// everything else, survive uninstall_code and go with delete_canister.

// maxSnapshotsPerCanister is the IC's MAX_NUMBER_OF_SNAPSHOTS_PER_CANISTER
// (rs/config/src/execution_environment.rs).
const maxSnapshotsPerCanister = 10

// snapshotLocalIDLen is the length of the counter that starts a snapshot
// id; the canister's id follows it, as on the IC (SnapshotId in
// rs/types/base_types).
const snapshotLocalIDLen = 8

func snapshotID(canister []byte, local uint64) []byte {
	id := binary.BigEndian.AppendUint64(make([]byte, 0, snapshotLocalIDLen+len(canister)), local)
	return append(id, canister...)
}

// snapshotOwner is the canister a snapshot id names; ok is false for a
// blob that is no snapshot id of ours.
func snapshotOwner(id []byte) (canister []byte, ok bool) {
	if len(id) <= snapshotLocalIDLen {
		return nil, false
	}
	return id[snapshotLocalIDLen:], true
}

// snapshotText renders a snapshot id the way the IC's messages do:
// <canister>-<counter>.
func snapshotText(id []byte) string {
	owner, ok := snapshotOwner(id)
	if !ok {
		return hex.EncodeToString(id)
	}
	return fmt.Sprintf("%s-%d", principal.Principal{Raw: owner}, binary.BigEndian.Uint64(id))
}

// TakeCanisterSnapshot implements take_canister_snapshot. The canister
// itself does not change; its committed state is copied once, and the
// batch writes that copy's non-zero pages.
func (rd *round) TakeCanisterSnapshot(caller principal.Principal, a mgmt.TakeCanisterSnapshotArgs) (*mgmt.Snapshot, error) {
	c := rd.r.lookup(a.CanisterID)
	if c == nil {
		return nil, canisterNotFound(a.CanisterID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.empty() {
		return nil, reject.New(reject.CanisterRejectedMessage, "Failed to create snapshot for empty canister %s:", a.CanisterID) // sic, the IC's wording
	}
	replaced, err := rd.snapshotToReplace(c, a.ReplaceSnapshot)
	if err != nil {
		return nil, err
	}
	inst, err := c.instance(rd.r)
	if err != nil {
		return nil, asReject(err)
	}
	st := inst.State()
	snap := &state.Snapshot{
		ID:              snapshotID(c.rec.ID, c.rec.NextSnapshot),
		Canister:        c.rec.ID,
		TakenAt:         rd.time,
		CanisterVersion: c.rec.Version,
		ModuleHash:      append([]byte(nil), c.rec.ModuleHash...),
		HeapSize:        uint64(len(st.Heap)),
		StableSize:      uint64(len(st.Stable)),
		Globals:         globalsToState(st.Globals),
		CertifiedData:   append([]byte(nil), c.rec.CertifiedData...),
		GlobalTimer:     c.rec.GlobalTimer,
	}
	chunks, err := rd.keepChunkStore(c, snap)
	if err != nil {
		return nil, err
	}
	snap.TotalSize = snapshotSize(snap, c.module) + chunks
	c.rec.NextSnapshot++
	rd.touch(c)
	rd.batch.Snapshots = append(rd.batch.Snapshots, state.SnapshotWrite{
		Snapshot: snap, HeapPages: state.PageViews(st.Heap), StablePages: state.PageViews(st.Stable)})
	rd.r.snapshots.add(snap)
	if replaced != nil {
		rd.deleteSnapshot(replaced)
	}
	return snapshotAnswer(snap), nil
}

// snapshotToReplace checks take_canister_snapshot's replace_snapshot, or
// the per-canister limit when none is given.
func (rd *round) snapshotToReplace(c *canister, replace *[]byte) (*state.Snapshot, error) {
	if replace != nil {
		return rd.r.snapshots.owned(c.id(), *replace)
	}
	if n := len(rd.r.snapshots.list(c.rec.ID)); n >= maxSnapshotsPerCanister {
		return nil, reject.New(reject.CanisterRejectedMessage,
			"Canister %s has reached the maximum number of snapshots allowed: %d.", c.id(), maxSnapshotsPerCanister)
	}
	return nil, nil
}

// snapshotSize is a snapshot's memory usage: what it holds beyond its id.
func snapshotSize(s *state.Snapshot, m *exec.Module) uint64 {
	size := s.HeapSize + s.StableSize + uint64(8*len(s.Globals)) + uint64(len(s.CertifiedData))
	if m != nil {
		size += uint64(len(m.Wasm))
	}
	return size
}

func snapshotAnswer(s *state.Snapshot) *mgmt.Snapshot {
	return &mgmt.Snapshot{ID: append([]byte(nil), s.ID...), TakenAtTimestamp: s.TakenAt, TotalSize: s.TotalSize}
}

// LoadCanisterSnapshot implements load_canister_snapshot: the canister gets
// the snapshot's module, memories, globals, certified data and timer back,
// with a new instance built from them (start and init do not run again).
// Nothing changes unless all of it succeeds.
func (rd *round) LoadCanisterSnapshot(caller principal.Principal, a mgmt.LoadCanisterSnapshotArgs) error {
	return rd.withCanister(a.CanisterID, func(c *canister) error {
		snap, err := rd.r.snapshots.owned(c.id(), a.SnapshotID)
		if err != nil {
			return err
		}
		m, err := rd.snapshotModule(c, snap)
		if err != nil {
			return err
		}
		mem, err := rd.snapshotMemories(snap)
		if err != nil {
			return asReject(err)
		}
		inst, err := rd.r.engine.Instantiate(m, &exec.State{Heap: mem.heap, Stable: mem.stable, Globals: globalsFromState(snap.Globals)})
		if err != nil {
			return asReject(fmt.Errorf("load snapshot %s: %w", snapshotText(snap.ID), err))
		}
		rd.installSnapshot(c, m, inst, snap, mem)
		rd.historyLocked(c, caller, state.Change{Kind: "load_snapshot",
			SnapshotID: snap.ID, SnapshotVersion: snap.CanisterVersion, SnapshotTakenAt: snap.TakenAt})
		return nil
	})
}

// installSnapshot replaces the canister's code and state with the
// snapshot's, in memory and in the round's batch. Callers hold c.mu.
func (rd *round) installSnapshot(c *canister, m *exec.Module, inst *exec.Instance, snap *state.Snapshot, mem *snapshotMemory) {
	c.close()
	c.module, c.inst = m, inst
	c.rec.ModuleHash = append([]byte(nil), snap.ModuleHash...)
	c.rec.Metadata = metadataOf(m)
	c.rec.Heartbeat = m.Has.Heartbeat
	rd.restoreChunkStore(c, snap, mem.chunks)
	c.rec.CertifiedData = append([]byte(nil), snap.CertifiedData...)
	c.rec.GlobalTimer = snap.GlobalTimer
	c.rec.HeapSize, c.rec.StableSize = snap.HeapSize, snap.StableSize
	c.rec.Globals = append([]state.Global(nil), snap.Globals...)
	c.rec.Version++
	// The pages are views into the buffers the instance was built from,
	// which nothing writes to again: the memories are not copied a third time.
	rd.batch.Memory = append(rd.batch.Memory,
		state.MemoryUpdate{Canister: c.rec.ID, Reset: true, Pages: mem.heapPages},
		state.MemoryUpdate{Canister: c.rec.ID, Stable: true, Reset: true, Pages: mem.stablePages})
	rd.touch(c)
}

// snapshotModule compiles (or reuses) the module a snapshot was taken with.
func (rd *round) snapshotModule(c *canister, snap *state.Snapshot) (*exec.Module, error) {
	if c.module != nil && bytes.Equal(c.module.Hash[:], snap.ModuleHash) {
		return c.module, nil
	}
	wasm, ok := rd.batch.Modules[string(snap.ModuleHash)]
	if !ok {
		var err error
		if wasm, err = rd.r.store.Module(snap.ModuleHash); err != nil {
			return nil, asReject(fmt.Errorf("module of snapshot %s: %w", snapshotText(snap.ID), err))
		}
	}
	m, err := rd.r.engine.Compile(wasm)
	if err != nil {
		return nil, invalidWasm(c.id(), err)
	}
	return m, nil
}

// snapshotMemory is a snapshot's two memories, whole and as their
// non-zero pages (views into the whole).
type snapshotMemory struct {
	heap, stable           []byte
	heapPages, stablePages map[uint64][]byte
	chunks                 map[string][]byte // the chunk store, by hash
}

// snapshotMemories reads a snapshot's memories: from the round's batch
// when it was taken in this round, else from the store.
func (rd *round) snapshotMemories(snap *state.Snapshot) (*snapshotMemory, error) {
	mem, err := rd.snapshotHeapAndStable(snap)
	if err != nil {
		return nil, err
	}
	mem.chunks, err = rd.snapshotChunks(snap)
	return mem, err
}

func (rd *round) snapshotHeapAndStable(snap *state.Snapshot) (*snapshotMemory, error) {
	for _, w := range rd.batch.Snapshots {
		if bytes.Equal(w.Snapshot.ID, snap.ID) {
			return &snapshotMemory{
				heap: assemble(w.HeapPages, snap.HeapSize), stable: assemble(w.StablePages, snap.StableSize),
				heapPages: w.HeapPages, stablePages: w.StablePages,
			}, nil
		}
	}
	heap, heapPages, err := rd.r.store.SnapshotMemory(snap.ID, false, snap.HeapSize)
	if err != nil {
		return nil, err
	}
	stable, stablePages, err := rd.r.store.SnapshotMemory(snap.ID, true, snap.StableSize)
	if err != nil {
		return nil, err
	}
	return &snapshotMemory{heap: heap, stable: stable, heapPages: heapPages, stablePages: stablePages}, nil
}

// assemble builds a whole memory of size bytes from its non-zero pages.
func assemble(pages map[uint64][]byte, size uint64) []byte {
	mem := make([]byte, size)
	for idx, p := range pages {
		copy(mem[idx*state.PageSize:], p)
	}
	return mem
}

// ListCanisterSnapshots implements list_canister_snapshots.
func (rd *round) ListCanisterSnapshots(id principal.Principal) ([]mgmt.Snapshot, error) {
	if rd.r.lookup(id) == nil {
		return nil, canisterNotFound(id)
	}
	snaps := rd.r.snapshots.list(id.Raw)
	out := make([]mgmt.Snapshot, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, *snapshotAnswer(s))
	}
	return out, nil
}

// DeleteCanisterSnapshot implements delete_canister_snapshot.
func (rd *round) DeleteCanisterSnapshot(a mgmt.DeleteCanisterSnapshotArgs) error {
	return rd.withCanister(a.CanisterID, func(c *canister) error {
		snap, err := rd.r.snapshots.owned(c.id(), a.SnapshotID)
		if err != nil {
			return err
		}
		rd.deleteSnapshot(snap)
		return nil
	})
}

// deleteSnapshot forgets a snapshot. One taken in this very round is
// simply not written.
func (rd *round) deleteSnapshot(snap *state.Snapshot) {
	rd.r.snapshots.remove(snap.Canister, snap.ID)
	for i, w := range rd.batch.Snapshots {
		if bytes.Equal(w.Snapshot.ID, snap.ID) {
			rd.batch.Snapshots = append(rd.batch.Snapshots[:i], rd.batch.Snapshots[i+1:]...)
			return
		}
	}
	rd.batch.DeletedSnapshots = append(rd.batch.DeletedSnapshots, state.SnapshotRef{Canister: snap.Canister, ID: snap.ID})
}

// withSnapshotsSize completes canister_status with the canister's
// snapshots, which count towards its memory as on the IC.
func withSnapshotsSize(st *mgmt.CanisterStatusResult, size uint64) *mgmt.CanisterStatusResult {
	st.MemoryMetrics.SnapshotsSize = idl.NewNat(size)
	st.MemorySize = idl.NewNat(st.MemorySize.BigInt().Uint64() + size)
	return st
}
