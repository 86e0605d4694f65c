package replica

import (
	"bytes"
	"crypto/sha256"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// The IC's chunk store limits: chunks of at most 1 MiB, at most 100 of them
// in a store and in one module; each chunk is charged as 1 MiB of storage.
const (
	maxChunkBytes      = 1 << 20
	maxStoredChunks    = 100
	maxChunksPerModule = 100
)

// chunkStore returns the canister's chunks by hash, loading them from the
// store the first time. Callers hold c.mu.
func (c *canister) chunkStore(r *Replica) (map[string][]byte, error) {
	if c.chunks != nil {
		return c.chunks, nil
	}
	if len(c.rec.ChunkHashes) == 0 {
		c.chunks = map[string][]byte{}
		return c.chunks, nil
	}
	chunks, err := r.store.Chunks(c.rec.ID)
	if err != nil {
		return nil, err
	}
	c.chunks = chunks
	return chunks, nil
}

// chunkStoreBytes is what the chunk store is charged as.
func chunkStoreBytes(c *canister) uint64 { return uint64(len(c.rec.ChunkHashes)) * maxChunkBytes }

// UploadChunk implements upload_chunk.
func (rd *round) UploadChunk(a mgmt.UploadChunkArgs) (*mgmt.ChunkHash, error) {
	var out *mgmt.ChunkHash
	err := rd.withCanister(a.CanisterID, func(c *canister) error {
		if len(a.Chunk) > maxChunkBytes {
			return chunkStoreError(reject.CanisterContractViolation, "Wasm chunk size %d exceeds the maximum chunk size of %d", len(a.Chunk), maxChunkBytes)
		}
		chunks, err := c.chunkStore(rd.r)
		if err != nil {
			return err
		}
		h := sha256.Sum256(a.Chunk)
		out = &mgmt.ChunkHash{Hash: h[:]}
		if _, stored := chunks[string(h[:])]; stored {
			return nil
		}
		if len(chunks) >= maxStoredChunks {
			return chunkStoreError(reject.CanisterContractViolation, "Wasm chunk store has already reached its maximum capacity of %d chunks", maxStoredChunks)
		}
		rd.chargeStorage(c) // what was held so far, at the old size
		chunk := append([]byte(nil), a.Chunk...)
		chunks[string(h[:])] = chunk
		c.rec.ChunkHashes = append(c.rec.ChunkHashes, h[:])
		rd.batch.Chunks = append(rd.batch.Chunks, state.ChunkUpdate{Canister: c.rec.ID, Put: map[string][]byte{string(h[:]): chunk}})
		rd.touch(c)
		return nil
	})
	return out, err
}

// StoredChunks implements stored_chunks.
func (rd *round) StoredChunks(id principal.Principal) ([]mgmt.ChunkHash, error) {
	var out []mgmt.ChunkHash
	err := rd.withCanister(id, func(c *canister) error {
		for _, h := range c.rec.ChunkHashes {
			out = append(out, mgmt.ChunkHash{Hash: append([]byte(nil), h...)})
		}
		return nil
	})
	return out, err
}

// ClearChunkStore implements clear_chunk_store.
func (rd *round) ClearChunkStore(id principal.Principal) error {
	return rd.withCanister(id, func(c *canister) error {
		rd.chargeStorage(c)
		c.chunks, c.rec.ChunkHashes = map[string][]byte{}, nil
		rd.batch.Chunks = append(rd.batch.Chunks, state.ChunkUpdate{Canister: c.rec.ID, Clear: true})
		rd.touch(c)
		return nil
	})
}

// InstallChunkedCode implements install_chunked_code: the module is the
// concatenation of the listed chunks of the store canister (the target when
// none is named), which the caller must control or be, and must hash to
// wasm_module_hash; then it is install_code.
func (rd *round) InstallChunkedCode(caller principal.Principal, a mgmt.InstallChunkedCodeArgs) error {
	store := a.TargetCanister
	if a.StoreCanister != nil {
		store = *a.StoreCanister
	}
	wasm, err := rd.assembleModule(caller, store, a.ChunkHashesList)
	if err != nil {
		return err
	}
	if h := sha256.Sum256(wasm); !bytes.Equal(h[:], a.WasmModuleHash) {
		return reject.New(reject.InvalidManagementPayload,
			"Error from Wasm chunk store: Wasm module hash %x does not match the hash of the assembled module %x", a.WasmModuleHash, h[:])
	}
	return rd.InstallCode(caller, mgmt.InstallCodeArgs{
		Mode: a.Mode, CanisterID: a.TargetCanister, WasmModule: wasm, Arg: a.Arg, SenderCanisterVersion: a.SenderCanisterVersion,
	})
}

// assembleModule concatenates chunks of the store canister's chunk store.
func (rd *round) assembleModule(caller, store principal.Principal, hashes []mgmt.ChunkHash) ([]byte, error) {
	if len(hashes) > maxChunksPerModule {
		return nil, chunkStoreError(reject.InvalidManagementPayload, "a module may be made of at most %d chunks, %d were listed", maxChunksPerModule, len(hashes))
	}
	var wasm []byte
	err := rd.withCanister(store, func(c *canister) error {
		if !c.IsController(caller) && !bytes.Equal(caller.Raw, store.Raw) {
			return reject.New(reject.CanisterInvalidController,
				"Only controllers of canister %s can call ic00 method install_chunked_code with it as the store canister", store)
		}
		chunks, err := c.chunkStore(rd.r)
		if err != nil {
			return err
		}
		for _, h := range hashes {
			chunk, ok := chunks[string(h.Hash)]
			if !ok {
				return chunkStoreError(reject.InvalidManagementPayload, "chunk %x is not in the chunk store of canister %s", h.Hash, store)
			}
			wasm = append(wasm, chunk...)
		}
		return nil
	})
	return wasm, err
}

func chunkStoreError(code reject.ErrorCode, format string, args ...any) *reject.Error {
	e := reject.New(code, format, args...)
	e.Message = "Error from Wasm chunk store: " + e.Message
	return e
}
