package registry

import (
	"context"

	"github.com/aviate-labs/agent-go/candid/idl"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

func releaseResult(out c.ReleaseResult) (Release, error) {
	if out.Err != nil || out.Ok == nil {
		return Release{}, fromCandid(out.Err)
	}
	return releaseFromCandid(*out.Ok), nil
}

func (cl *Client) releaseCall(ctx context.Context, method string, args ...any) (Release, error) {
	var out c.ReleaseResult
	if err := cl.call(ctx, method, &out, args...); err != nil {
		return Release{}, err
	}
	return releaseResult(out)
}

// CreateRelease starts a release in state draft (the app's developers).
// Chunk fills SHA256, Size and ChunkHashes from the module.
func (cl *Client) CreateRelease(ctx context.Context, rel NewRelease) (Release, error) {
	return cl.releaseCall(ctx, "create_release", newReleaseToCandid(rel))
}

// UploadChunk uploads chunk index of a draft release; the registry has
// the IC hash it and refuses one that is not ChunkHashes[index].
func (cl *Client) UploadChunk(ctx context.Context, app, version string, index int, chunk []byte) error {
	var out c.UnitResult
	err := cl.call(ctx, "upload_chunk", &out, c.ChunkUpload{App: app, Version: version, Index: idl.NewNat(uint(index)), Chunk: chunk})
	if err != nil {
		return err
	}
	return unit(out)
}

// SubmitRelease: draft → submitted, once every chunk is in.
func (cl *Client) SubmitRelease(ctx context.Context, app, version string) (Release, error) {
	return cl.releaseCall(ctx, "submit_release", app, version)
}

// ApproveRelease: submitted → approved (an auditor who is not the uploader).
func (cl *Client) ApproveRelease(ctx context.Context, app, version string) (Release, error) {
	return cl.releaseCall(ctx, "approve_release", app, version)
}

// RejectRelease: submitted → rejected, with a reason (auditors).
func (cl *Client) RejectRelease(ctx context.Context, app, version, reason string) (Release, error) {
	return cl.releaseCall(ctx, "reject_release", app, version, reason)
}

// PublishRelease: approved → released (the app's developers).
func (cl *Client) PublishRelease(ctx context.Context, app, version string) (Release, error) {
	return cl.releaseCall(ctx, "publish_release", app, version)
}

// DeprecateRelease: released → deprecated; still installable by name.
func (cl *Client) DeprecateRelease(ctx context.Context, app, version string) (Release, error) {
	return cl.releaseCall(ctx, "deprecate_release", app, version)
}

// RevokeRelease: released|deprecated → revoked, with a reason.
func (cl *Client) RevokeRelease(ctx context.Context, app, version, reason string) (Release, error) {
	return cl.releaseCall(ctx, "revoke_release", app, version, reason)
}

// ListReleases lists app's releases.
func (cl *Client) ListReleases(ctx context.Context, app string) ([]Release, error) {
	var out []c.ReleaseInfo
	if err := cl.query(ctx, "list_releases", &out, app); err != nil {
		return nil, err
	}
	rels := make([]Release, len(out))
	for i, r := range out {
		rels[i] = releaseFromCandid(r)
	}
	return rels, nil
}

// GetRelease is one release; ok is false when there is none.
func (cl *Client) GetRelease(ctx context.Context, app, version string) (rel Release, ok bool, err error) {
	var out *c.ReleaseInfo
	if err := cl.query(ctx, "get_release", &out, app, version); err != nil || out == nil {
		return Release{}, false, err
	}
	return releaseFromCandid(*out), true, nil
}
