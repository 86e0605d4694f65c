package registry

import (
	"context"
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

// UploadRelease creates the draft rel of module (Chunk fills its hashes
// and size) and uploads every chunk, calling progress (if not nil) after
// each with the chunks done and their number. It returns the draft as the
// registry has it then, all chunks received.
func (cl *Client) UploadRelease(ctx context.Context, rel NewRelease, module []byte, progress func(done, total int)) (Release, error) {
	chunks, err := Chunk(module, &rel)
	if err != nil {
		return Release{}, err
	}
	if _, err := cl.CreateRelease(ctx, rel); err != nil {
		return Release{}, err
	}
	for i, c := range chunks {
		if err := cl.UploadChunk(ctx, rel.App, rel.Version, i, c); err != nil {
			return Release{}, fmt.Errorf("chunk %d of %d: %w", i, len(chunks), err)
		}
		if progress != nil {
			progress(i+1, len(chunks))
		}
	}
	got, ok, err := cl.GetRelease(ctx, rel.App, rel.Version)
	if err == nil && !ok {
		err = &Error{Kind: NotFound, Message: "the uploaded release " + rel.App + "/" + rel.Version + " is gone"}
	}
	return got, err
}
