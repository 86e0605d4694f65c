package state

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/fxamacker/cbor/v2"
	bolt "go.etcd.io/bbolt"
)

// Canister snapshots live in three buckets: the records, nested per
// canister (so that a canister's snapshots are listed and dropped together),
// and the pages of their two memories, nested per snapshot. The module is
// kept by hash in the modules bucket, which is content-addressed and never
// pruned, so a snapshot holds on to its module for free.
var (
	bucketSnapshots      = []byte("snapshots")       // nested: canister id → snapshot id → record
	bucketSnapshotHeap   = []byte("snapshot_heap")   // nested: snapshot id → page index → page
	bucketSnapshotStable = []byte("snapshot_stable") // nested: snapshot id → page index → page
)

// Snapshot is the record of one canister snapshot: everything but its
// memories, which are stored as pages.
type Snapshot struct {
	ID              []byte   `cbor:"1,keyasint"`
	Canister        []byte   `cbor:"2,keyasint"`
	TakenAt         uint64   `cbor:"3,keyasint"` // ns since the epoch
	CanisterVersion uint64   `cbor:"4,keyasint"` // the canister's version when it was taken
	ModuleHash      []byte   `cbor:"5,keyasint"`
	HeapSize        uint64   `cbor:"6,keyasint"`
	StableSize      uint64   `cbor:"7,keyasint"`
	Globals         []Global `cbor:"8,keyasint,omitempty"`
	CertifiedData   []byte   `cbor:"9,keyasint,omitempty"`
	GlobalTimer     uint64   `cbor:"10,keyasint"`
	TotalSize       uint64   `cbor:"11,keyasint"` // bytes, as list_canister_snapshots reports it
	// ChunkHashes is the canister's chunk store when it was taken; the
	// chunks are kept under SnapshotChunks(ID) in the chunk bucket.
	ChunkHashes [][]byte `cbor:"12,keyasint,omitempty"`
}

// SnapshotWrite stores a new snapshot: its record and the non-zero 4 KiB
// pages of its memories (page index → PageSize bytes).
type SnapshotWrite struct {
	Snapshot    *Snapshot
	HeapPages   map[uint64][]byte
	StablePages map[uint64][]byte
}

// SnapshotRef names a stored snapshot.
type SnapshotRef struct {
	Canister []byte
	ID       []byte
}

func snapshotMemoryBucket(stable bool) []byte {
	if stable {
		return bucketSnapshotStable
	}
	return bucketSnapshotHeap
}

// Snapshots loads every snapshot record, each canister's in the order they
// were taken (their ids start with a big-endian counter).
func (s *Store) Snapshots() ([]*Snapshot, error) {
	var out []*Snapshot
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSnapshots).ForEachBucket(func(canister []byte) error {
			return tx.Bucket(bucketSnapshots).Bucket(canister).ForEach(func(k, v []byte) error {
				snap := new(Snapshot)
				if err := cbor.Unmarshal(v, snap); err != nil {
					return fmt.Errorf("snapshot record %x: %w", k, err)
				}
				out = append(out, snap)
				return nil
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load snapshots: %w", err)
	}
	return out, nil
}

// SnapshotMemory assembles one memory of a stored snapshot (size bytes;
// pages never written are zero). It also returns the non-zero pages as
// views into mem, ready to be written as a canister's memory without a
// second copy.
func (s *Store) SnapshotMemory(id []byte, stable bool, size uint64) ([]byte, map[uint64][]byte, error) {
	mem := make([]byte, size)
	pages := make(map[uint64][]byte)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(snapshotMemoryBucket(stable)).Bucket(id)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			idx := pageIndex(k)
			off := idx * PageSize
			if off+PageSize > size {
				return fmt.Errorf("page %d lies beyond the snapshot's %d-byte memory", idx, size)
			}
			copy(mem[off:off+PageSize], v)
			pages[idx] = mem[off : off+PageSize : off+PageSize]
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read snapshot %x memory: %w", id, err)
	}
	return mem, pages, nil
}

// PageViews splits a memory into its non-zero 4 KiB pages like Pages, but
// the pages are views into mem, not copies: mem must not change until the
// batch that holds them is committed. Memories are whole wasm pages, so
// only a memory of a size that is not a multiple of PageSize pays a copy
// (of its last page).
func PageViews(mem []byte) map[uint64][]byte {
	pages := make(map[uint64][]byte)
	for off := 0; off < len(mem); off += PageSize {
		end := min(off+PageSize, len(mem))
		p := mem[off:end:end]
		if bytes.Equal(p, zeroPage[:len(p)]) {
			continue
		}
		if len(p) < PageSize {
			p = append(make([]byte, 0, PageSize), p...)[:PageSize]
		}
		pages[uint64(off/PageSize)] = p
	}
	return pages
}

func putSnapshots(tx *bolt.Tx, writes []SnapshotWrite) error {
	for _, w := range writes {
		if err := putSnapshot(tx, w); err != nil {
			return fmt.Errorf("put snapshot %x: %w", w.Snapshot.ID, err)
		}
	}
	return nil
}

func putSnapshot(tx *bolt.Tx, w SnapshotWrite) error {
	rec, err := cbor.Marshal(w.Snapshot)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	records, err := tx.Bucket(bucketSnapshots).CreateBucketIfNotExists(w.Snapshot.Canister)
	if err != nil {
		return err
	}
	if err := records.Put(w.Snapshot.ID, rec); err != nil {
		return err
	}
	if err := putSnapshotPages(tx.Bucket(bucketSnapshotHeap), w.Snapshot.ID, w.HeapPages); err != nil {
		return err
	}
	return putSnapshotPages(tx.Bucket(bucketSnapshotStable), w.Snapshot.ID, w.StablePages)
}

// putSnapshotPages writes a snapshot memory's pages into a fresh bucket, in
// key order: bbolt appends sorted keys without splitting pages half-full.
func putSnapshotPages(parent *bolt.Bucket, id []byte, pages map[uint64][]byte) error {
	if err := parent.DeleteBucket(id); err != nil && err != bolt.ErrBucketNotFound {
		return err
	}
	if len(pages) == 0 {
		return nil
	}
	b, err := parent.CreateBucket(id)
	if err != nil {
		return err
	}
	b.FillPercent = 1
	for _, idx := range sortedPageIndices(pages) {
		if err := b.Put(pageKey(idx), pages[idx]); err != nil {
			return fmt.Errorf("put page %d: %w", idx, err)
		}
	}
	return nil
}

func sortedPageIndices(pages map[uint64][]byte) []uint64 {
	idx := make([]uint64, 0, len(pages))
	for i := range pages {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return idx
}

func deleteSnapshots(tx *bolt.Tx, refs []SnapshotRef) error {
	for _, ref := range refs {
		if records := tx.Bucket(bucketSnapshots).Bucket(ref.Canister); records != nil {
			if err := records.Delete(ref.ID); err != nil {
				return fmt.Errorf("delete snapshot %x: %w", ref.ID, err)
			}
		}
		if err := deleteSnapshotMemory(tx, ref.ID); err != nil {
			return err
		}
	}
	return nil
}

func deleteSnapshotMemory(tx *bolt.Tx, id []byte) error {
	if err := deleteChunksOf(tx, SnapshotChunks(id)); err != nil {
		return fmt.Errorf("delete snapshot %x chunk store: %w", id, err)
	}
	for _, name := range [][]byte{bucketSnapshotHeap, bucketSnapshotStable} {
		if err := tx.Bucket(name).DeleteBucket(id); err != nil && err != bolt.ErrBucketNotFound {
			return fmt.Errorf("delete snapshot %x memory: %w", id, err)
		}
	}
	return nil
}

// deleteSnapshotsOf drops every snapshot of a deleted canister.
func deleteSnapshotsOf(tx *bolt.Tx, canister []byte) error {
	records := tx.Bucket(bucketSnapshots).Bucket(canister)
	if records == nil {
		return nil
	}
	var ids [][]byte
	err := records.ForEach(func(k, _ []byte) error {
		ids = append(ids, append([]byte(nil), k...))
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := deleteSnapshotMemory(tx, id); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketSnapshots).DeleteBucket(canister)
}
