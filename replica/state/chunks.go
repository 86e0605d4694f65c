package state

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketChunks holds each canister's wasm chunk store: nested, canister id
// → chunk hash (SHA-256) → chunk.
var bucketChunks = []byte("chunks")

// SnapshotChunks is the key a snapshot's copy of the chunk store is kept
// under (canister ids, the other keys, never start with it).
func SnapshotChunks(snapshot []byte) []byte {
	return append([]byte("snapshot:"), snapshot...)
}

// ChunkUpdate changes one canister's (or snapshot's) chunk store.
type ChunkUpdate struct {
	Canister []byte
	// Clear drops every stored chunk first (clear_chunk_store).
	Clear bool
	// Put adds chunks by their hash (a string of the hash's bytes).
	Put map[string][]byte
}

// Chunks loads a canister's chunk store by hash.
func (s *Store) Chunks(canister []byte) (map[string][]byte, error) {
	out := make(map[string][]byte)
	err := s.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketChunks).Bucket(canister)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(k, v []byte) error {
			out[string(k)] = append([]byte(nil), v...)
			return nil
		})
	})
	return out, err
}

func putChunks(tx *bolt.Tx, updates []ChunkUpdate) error {
	parent := tx.Bucket(bucketChunks)
	for _, u := range updates {
		if u.Clear {
			if err := parent.DeleteBucket(u.Canister); err != nil && err != bolt.ErrBucketNotFound {
				return fmt.Errorf("clear chunk store: %w", err)
			}
		}
		if len(u.Put) == 0 {
			continue
		}
		bk, err := parent.CreateBucketIfNotExists(u.Canister)
		if err != nil {
			return fmt.Errorf("chunk store bucket: %w", err)
		}
		for hash, chunk := range u.Put {
			if err := bk.Put([]byte(hash), chunk); err != nil {
				return fmt.Errorf("put chunk: %w", err)
			}
		}
	}
	return nil
}

func deleteChunksOf(tx *bolt.Tx, canister []byte) error {
	if err := tx.Bucket(bucketChunks).DeleteBucket(canister); err != nil && err != bolt.ErrBucketNotFound {
		return err
	}
	return nil
}
