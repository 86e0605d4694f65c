package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fxamacker/cbor/v2"
	bolt "go.etcd.io/bbolt"
)

// PageSize is the granularity at which memories are persisted.
const PageSize = 4096

// dbFile is the database's name inside the state directory.
const dbFile = "replica.db"

var (
	bucketMeta      = []byte("meta")
	bucketCanisters = []byte("canisters")
	bucketModules   = []byte("modules")
	bucketHeap      = []byte("heap")   // nested: canister id → page index → page
	bucketStable    = []byte("stable") // nested: canister id → page index → page
	bucketIngress   = []byte("ingress")
)

// initialMmapSize reserves address space (not disk) for the database's
// memory map. bbolt remaps when a write outgrows the map, and a remap first
// copies every node the transaction holds out of the old map: without the
// reserve, a round that writes a 100 MiB canister or snapshot pays for a
// few of those. On a 64-bit host the reserve costs nothing.
const initialMmapSize = 1 << 30

// ErrLocked means another replica holds the state directory.
var ErrLocked = errors.New("state directory is in use by another replica")

// Store is the replica's durable state.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens (creating if needed) the store in dir. It fails quickly with
// ErrLocked when another process has the directory open.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	path := filepath.Join(dir, dbFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond, NoFreelistSync: true,
		InitialMmapSize: initialMmapSize})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketCanisters, bucketModules, bucketHeap, bucketStable, bucketIngress,
			bucketSnapshots, bucketSnapshotHeap, bucketSnapshotStable, bucketChunks} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init state %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close releases the database and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Meta reads one metadata value (nil when absent).
func (s *Store) Meta(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get([]byte(key)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// Canisters loads every canister record.
func (s *Store) Canisters() ([]*Canister, error) {
	var out []*Canister
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCanisters).ForEach(func(k, v []byte) error {
			c := new(Canister)
			if err := cbor.Unmarshal(v, c); err != nil {
				return fmt.Errorf("canister record %x: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

// Module loads a wasm module by its hash.
func (s *Store) Module(hash []byte) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketModules).Get(hash)
		if v == nil {
			return fmt.Errorf("module %x is missing from the state", hash)
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// Memory assembles a canister's heap (stable=false) or stable memory of the
// given size from its stored pages; pages never written are zero.
func (s *Store) Memory(canister []byte, stable bool, size uint64) ([]byte, error) {
	mem := make([]byte, size)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(memoryBucket(stable)).Bucket(canister)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			off := pageIndex(k) * PageSize
			if off >= size {
				return nil // a page beyond the size of a memory that was reset smaller
			}
			copy(mem[off:], v)
			return nil
		})
	})
	return mem, err
}

// MemoryPages is a canister's heap (stable=false) or stable memory of the
// given size as its stored pages, each PageSize bytes, by page index; pages
// never written are absent. (Restoring from these touches only what is
// stored, where Memory fills a buffer of the whole size.)
func (s *Store) MemoryPages(canister []byte, stable bool, size uint64) (map[uint64][]byte, error) {
	pages := map[uint64][]byte{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(memoryBucket(stable)).Bucket(canister)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			idx := pageIndex(k)
			if idx*PageSize >= size {
				return nil // a page beyond the size of a memory that was reset smaller
			}
			page := make([]byte, PageSize)
			copy(page, v) // v is only valid in the transaction
			pages[idx] = page
			return nil
		})
	})
	return pages, err
}

// Ingress loads the remembered ingress outcomes.
func (s *Store) Ingress() ([]*Ingress, error) {
	var out []*Ingress
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIngress).ForEach(func(k, v []byte) error {
			in := new(Ingress)
			if err := cbor.Unmarshal(v, in); err != nil {
				return fmt.Errorf("ingress record %x: %w", k, err)
			}
			out = append(out, in)
			return nil
		})
	})
	return out, err
}

func memoryBucket(stable bool) []byte {
	if stable {
		return bucketStable
	}
	return bucketHeap
}
