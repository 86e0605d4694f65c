package registry

import (
	"crypto/sha256"
	"fmt"
)

// The registry's limits on modules.
const (
	MaxChunkSize  = 1 << 20  // bytes per chunk, so each call fits the IC's 2 MiB
	MaxModuleSize = 10 << 20 // bytes per module
	MaxChunks     = 10
)

// Chunk splits a module into upload chunks of at most MaxChunkSize and
// fills rel's SHA256, Size and ChunkHashes from them.
func Chunk(module []byte, rel *NewRelease) ([][]byte, error) {
	if len(module) == 0 || len(module) > MaxModuleSize {
		return nil, fmt.Errorf("module of %d bytes: want 1..%d", len(module), MaxModuleSize)
	}
	var chunks, hashes [][]byte
	for start := 0; start < len(module); start += MaxChunkSize {
		c := module[start:min(start+MaxChunkSize, len(module))]
		sum := sha256.Sum256(c)
		chunks = append(chunks, c)
		hashes = append(hashes, sum[:])
	}
	whole := sha256.Sum256(module)
	rel.SHA256, rel.Size, rel.ChunkHashes = whole[:], uint64(len(module)), hashes
	return chunks, nil
}
