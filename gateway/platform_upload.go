package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

// uploadBodyBytes bounds an UploadRelease body: the largest module (in
// base64, as a JSON client sends it) plus each message's framing and the
// header.
const uploadBodyBytes = registry.MaxModuleSize*4/3 + 1<<20

// uploadTimeout bounds an UploadRelease: ten chunks, each an update the
// registry makes into the IC's chunk store (a few seconds each on the IC).
const uploadTimeout = 2 * time.Minute

// UploadRelease takes the header, creates the draft, then forwards each
// chunk to the registry as it arrives (one chunk in memory at a time).
// It refuses, before anything reaches the registry, a stream that does
// not start with its header or announces more than the registry takes,
// and on the way a chunk above 1 MiB or more bytes or chunks than
// announced. A stream that ends early leaves the draft with the chunks
// received (ChunksReceived says how many).
func (s *publisherService) UploadRelease(ctx context.Context, stream *connect.ClientStream[platformv1.UploadReleaseRequest]) (*connect.Response[platformv1.UploadReleaseResponse], error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, max(s.p.g.limits.RequestTimeout, uploadTimeout))
		defer cancel()
	}
	reg, err := s.p.registry(ctx, stream.RequestHeader())
	if err != nil {
		return nil, err
	}
	h, err := uploadHeader(stream)
	if err != nil {
		return nil, err
	}
	rel := registry.NewRelease{App: h.GetApp(), Version: h.GetVersion(), Protocol: h.GetProtocol(), Notes: h.GetNotes(),
		UpgradeFrom: h.GetUpgradeFrom(), HealthMethod: h.GetHealthMethod(), EnhancedPersistence: h.GetEnhancedPersistence(),
		SHA256: h.GetSha256(), Size: h.GetSize(), ChunkHashes: h.GetChunkHashes()}
	skip, err := createOrResume(ctx, reg, rel)
	if err != nil {
		return nil, err
	}
	if err := forwardChunks(ctx, stream, reg, h, skip); err != nil {
		return nil, err
	}
	r, ok, err := reg.GetRelease(ctx, h.GetApp(), h.GetVersion())
	if err != nil {
		return nil, platformError(err)
	}
	if !ok {
		return nil, errorf(connect.CodeInternal, "the registry lost the release %s/%s it just took", h.GetApp(), h.GetVersion())
	}
	return connect.NewResponse(&platformv1.UploadReleaseResponse{Release: releaseMsg(r)}), nil
}

// uploadHeader reads the first message, which must be a header within
// the registry's bounds.
func uploadHeader(stream *connect.ClientStream[platformv1.UploadReleaseRequest]) (*platformv1.ReleaseHeader, error) {
	if !stream.Receive() {
		if err := stream.Err(); err != nil {
			return nil, toConnectError(err)
		}
		return nil, errorf(connect.CodeInvalidArgument, "UploadRelease: the stream is empty; send the release header first")
	}
	h := stream.Msg().GetHeader()
	if h == nil {
		return nil, errorf(connect.CodeInvalidArgument, "UploadRelease: the first message must be the release header, then the chunks")
	}
	switch n := len(h.GetChunkHashes()); {
	case h.GetSize() == 0 || h.GetSize() > registry.MaxModuleSize:
		return nil, errorf(connect.CodeInvalidArgument, "UploadRelease: size %d: a module is 1 to %d bytes (10 MiB)", h.GetSize(), registry.MaxModuleSize)
	case uint64(n) < (h.GetSize()+registry.MaxChunkSize-1)/registry.MaxChunkSize || n > registry.MaxChunks || uint64(n) > h.GetSize():
		return nil, errorf(connect.CodeInvalidArgument, "UploadRelease: %d chunk hashes for %d bytes: chunks are at most %d bytes, at most %d of them",
			n, h.GetSize(), registry.MaxChunkSize, registry.MaxChunks)
	}
	return h, nil
}

// createOrResume creates the draft, or resumes an upload cut short: when
// the release exists as a draft of the same module (same SHA-256 and
// chunk hashes), the chunks it has (they arrive in order) are skipped;
// the draft keeps the header it was created with.
func createOrResume(ctx context.Context, reg *registry.Client, rel registry.NewRelease) (skip int, err error) {
	_, err = reg.CreateRelease(ctx, rel)
	if err == nil || !registry.IsKind(err, registry.AlreadyExists) {
		return 0, platformError(err)
	}
	have, ok, gerr := reg.GetRelease(ctx, rel.App, rel.Version)
	if gerr != nil || !ok || have.State != registry.Draft || !bytes.Equal(have.SHA256, rel.SHA256) || have.ChunkCount != len(rel.ChunkHashes) {
		return 0, platformError(err) // another release of that version: the registry's refusal stands
	}
	return have.ChunksReceived, nil
}

// forwardChunks uploads the stream's chunks in order, checking each
// against what the header announced; the first skip the registry has.
func forwardChunks(ctx context.Context, stream *connect.ClientStream[platformv1.UploadReleaseRequest], reg *registry.Client, h *platformv1.ReleaseHeader, skip int) error {
	var index int
	var total uint64
	for stream.Receive() {
		chunk := stream.Msg().GetChunk()
		switch {
		case stream.Msg().GetHeader() != nil:
			return errorf(connect.CodeInvalidArgument, "UploadRelease: a second header after %d chunks", index)
		case len(chunk) == 0:
			return errorf(connect.CodeInvalidArgument, "UploadRelease: chunk %d is empty", index)
		case len(chunk) > registry.MaxChunkSize:
			return errorf(connect.CodeInvalidArgument, "UploadRelease: chunk %d is %d bytes; at most %d", index, len(chunk), registry.MaxChunkSize)
		case index >= len(h.GetChunkHashes()):
			return errorf(connect.CodeInvalidArgument, "UploadRelease: more chunks than the %d the header announced", len(h.GetChunkHashes()))
		case total+uint64(len(chunk)) > h.GetSize():
			return errorf(connect.CodeInvalidArgument, "UploadRelease: the chunks exceed the %d bytes the header announced", h.GetSize())
		}
		if index >= skip {
			if err := reg.UploadChunk(ctx, h.GetApp(), h.GetVersion(), index, chunk); err != nil {
				return platformError(err)
			}
		}
		index++
		total += uint64(len(chunk))
	}
	if err := stream.Err(); err != nil && !errors.Is(err, io.EOF) {
		return toConnectError(err)
	}
	if index != len(h.GetChunkHashes()) || total != h.GetSize() {
		return errorf(connect.CodeInvalidArgument, "UploadRelease: the stream ended after %d of %d chunks (%d of %d bytes); the draft keeps what arrived",
			index, len(h.GetChunkHashes()), total, h.GetSize())
	}
	return nil
}
