package state

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/fxamacker/cbor/v2"
	bolt "go.etcd.io/bbolt"
)

// MemoryUpdate changes one memory of one canister.
type MemoryUpdate struct {
	Canister []byte
	Stable   bool
	// Reset drops every stored page first (install, reinstall, a replaced
	// heap on upgrade, uninstall).
	Reset bool
	// Pages maps a 4 KiB page index to its new content (PageSize bytes).
	Pages map[uint64][]byte
}

// Batch is everything one scheduler round changes. It is committed in one
// transaction: all of it survives a crash, or none of it.
type Batch struct {
	Meta            map[string][]byte
	Canisters       []*Canister
	DeletedCanister [][]byte
	Modules         map[string][]byte // key: module hash as a string of bytes
	Memory          []MemoryUpdate
	Ingress         []*Ingress
	IngressPruned   [][]byte
	// Snapshots are written before DeletedSnapshots are dropped; snapshot
	// ids are never reused, so the order only matters for a snapshot taken
	// and deleted in the same round. A deleted canister's snapshots go
	// with it.
	Snapshots        []SnapshotWrite
	DeletedSnapshots []SnapshotRef
	// Chunks are the round's changes to chunk stores, in order.
	Chunks []ChunkUpdate
}

// Empty reports whether the batch changes nothing.
func (b *Batch) Empty() bool {
	return len(b.Meta) == 0 && len(b.Canisters) == 0 && len(b.DeletedCanister) == 0 &&
		len(b.Modules) == 0 && len(b.Memory) == 0 && len(b.Ingress) == 0 && len(b.IngressPruned) == 0 &&
		len(b.Snapshots) == 0 && len(b.DeletedSnapshots) == 0 && len(b.Chunks) == 0
}

// Commit writes the batch durably (one fsync).
func (s *Store) Commit(b *Batch) error {
	if b.Empty() {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := putMeta(tx, b.Meta); err != nil {
			return err
		}
		if err := putModules(tx, b.Modules); err != nil {
			return err
		}
		if err := putCanisters(tx, b.Canisters); err != nil {
			return err
		}
		for _, u := range b.Memory {
			if err := putMemory(tx, u); err != nil {
				return err
			}
		}
		if err := putSnapshots(tx, b.Snapshots); err != nil {
			return err
		}
		// Before the deletions: a snapshot's chunk store goes with it even
		// when it is taken and deleted in one round.
		if err := putChunks(tx, b.Chunks); err != nil {
			return err
		}
		if err := deleteSnapshots(tx, b.DeletedSnapshots); err != nil {
			return err
		}
		if err := deleteCanisters(tx, b.DeletedCanister); err != nil {
			return err
		}
		return putIngress(tx, b.Ingress, b.IngressPruned)
	})
}

func putMeta(tx *bolt.Tx, meta map[string][]byte) error {
	bk := tx.Bucket(bucketMeta)
	for k, v := range meta {
		if err := bk.Put([]byte(k), v); err != nil {
			return fmt.Errorf("put meta %s: %w", k, err)
		}
	}
	return nil
}

func putModules(tx *bolt.Tx, modules map[string][]byte) error {
	bk := tx.Bucket(bucketModules)
	for hash, wasm := range modules {
		if bk.Get([]byte(hash)) != nil {
			continue // content-addressed: already stored
		}
		if err := bk.Put([]byte(hash), wasm); err != nil {
			return fmt.Errorf("put module: %w", err)
		}
	}
	return nil
}

func putCanisters(tx *bolt.Tx, canisters []*Canister) error {
	bk := tx.Bucket(bucketCanisters)
	for _, c := range canisters {
		v, err := cbor.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode canister: %w", err)
		}
		if err := bk.Put(c.ID, v); err != nil {
			return fmt.Errorf("put canister: %w", err)
		}
	}
	return nil
}

func deleteCanisters(tx *bolt.Tx, ids [][]byte) error {
	for _, id := range ids {
		if err := tx.Bucket(bucketCanisters).Delete(id); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketHeap, bucketStable} {
			if err := tx.Bucket(name).DeleteBucket(id); err != nil && err != bolt.ErrBucketNotFound {
				return err
			}
		}
		if err := deleteSnapshotsOf(tx, id); err != nil {
			return err
		}
		if err := deleteChunksOf(tx, id); err != nil {
			return err
		}
	}
	return nil
}

var zeroPage = make([]byte, PageSize)

func putMemory(tx *bolt.Tx, u MemoryUpdate) error {
	parent := tx.Bucket(memoryBucket(u.Stable))
	if u.Reset {
		if err := parent.DeleteBucket(u.Canister); err != nil && err != bolt.ErrBucketNotFound {
			return fmt.Errorf("reset memory: %w", err)
		}
	}
	if len(u.Pages) == 0 {
		return nil
	}
	bk, err := parent.CreateBucketIfNotExists(u.Canister)
	if err != nil {
		return fmt.Errorf("memory bucket: %w", err)
	}
	if u.Reset {
		bk.FillPercent = 1 // a fresh bucket filled in key order: pack its pages
	}
	// In key order: bbolt inserts into a sorted node, and random order
	// costs a copy of the node's elements per page (quadratic for 100 MiB).
	for _, idx := range sortedPageIndices(u.Pages) {
		page := u.Pages[idx]
		key := pageKey(idx)
		if bytes.Equal(page, zeroPage) {
			// Zero pages are implied: storing none keeps sparse memories small.
			if err := bk.Delete(key); err != nil {
				return err
			}
			continue
		}
		if err := bk.Put(key, page); err != nil {
			return fmt.Errorf("put page: %w", err)
		}
	}
	return nil
}

func putIngress(tx *bolt.Tx, records []*Ingress, pruned [][]byte) error {
	bk := tx.Bucket(bucketIngress)
	for _, in := range records {
		v, err := cbor.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode ingress: %w", err)
		}
		if err := bk.Put(in.ID, v); err != nil {
			return err
		}
	}
	for _, id := range pruned {
		if err := bk.Delete(id); err != nil {
			return err
		}
	}
	return nil
}

func pageKey(idx uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], idx)
	return k[:]
}

func pageIndex(k []byte) uint64 { return binary.BigEndian.Uint64(k) }

// Pages splits a whole memory into pages for a reset-and-write update,
// leaving out zero pages.
func Pages(mem []byte) map[uint64][]byte {
	pages := make(map[uint64][]byte)
	for off := 0; off < len(mem); off += PageSize {
		end := min(off+PageSize, len(mem))
		p := mem[off:end]
		if bytes.Equal(p, zeroPage[:len(p)]) {
			continue
		}
		page := make([]byte, PageSize)
		copy(page, p)
		pages[uint64(off/PageSize)] = page
	}
	return pages
}
