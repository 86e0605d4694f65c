package replica

import (
	"bytes"
	"fmt"

	"github.com/canistry/canistry/replica/state"
)

// A snapshot keeps the canister's chunk store, as on the IC: taken with
// the snapshot, put back by load_canister_snapshot.

// keepChunkStore copies the canister's chunk store into the snapshot (in
// the round's batch) and returns the bytes it counts. Callers hold c.mu.
func (rd *round) keepChunkStore(c *canister, snap *state.Snapshot) (uint64, error) {
	if len(c.rec.ChunkHashes) == 0 {
		return 0, nil
	}
	chunks, err := c.chunkStore(rd.r)
	if err != nil {
		return 0, asReject(fmt.Errorf("chunk store of %s: %w", c.id(), err))
	}
	snap.ChunkHashes = append([][]byte(nil), c.rec.ChunkHashes...)
	put := make(map[string][]byte, len(chunks))
	for h, chunk := range chunks {
		put[h] = chunk
	}
	rd.batch.Chunks = append(rd.batch.Chunks, state.ChunkUpdate{Canister: state.SnapshotChunks(snap.ID), Put: put})
	return chunkStoreBytes(c), nil
}

// snapshotChunks reads a snapshot's chunk store: from the round's batch
// when the snapshot was taken in this round, else from the store.
func (rd *round) snapshotChunks(snap *state.Snapshot) (map[string][]byte, error) {
	if len(snap.ChunkHashes) == 0 {
		return map[string][]byte{}, nil
	}
	key := state.SnapshotChunks(snap.ID)
	for _, u := range rd.batch.Chunks {
		if bytes.Equal(u.Canister, key) {
			return u.Put, nil
		}
	}
	return rd.r.store.Chunks(key)
}

// restoreChunkStore gives the canister the snapshot's chunk store back.
// Callers hold c.mu.
func (rd *round) restoreChunkStore(c *canister, snap *state.Snapshot, chunks map[string][]byte) {
	c.rec.ChunkHashes = append([][]byte(nil), snap.ChunkHashes...)
	c.chunks = make(map[string][]byte, len(chunks))
	for h, chunk := range chunks {
		c.chunks[h] = chunk
	}
	rd.batch.Chunks = append(rd.batch.Chunks, state.ChunkUpdate{Canister: c.rec.ID, Clear: true, Put: c.chunks})
}
