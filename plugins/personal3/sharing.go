package personal3

import (
	"context"
	"errors"
	"strings"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
	"github.com/canistry/canistry/plugins/internal/personal"
	"github.com/canistry/canistry/plugins/personal2"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

var _ personalv1.SharingServer = Adapter{}

func peerOf(field, text string) (principal.Principal, error) {
	p, err := principal.Decode(text)
	if err != nil {
		return p, adapter.Errorf(adapter.CodeInvalidArgument, "%s %q is not a canister id: %v", field, text, err)
	}
	return p, nil
}

// GrantAccess maps onto grant(peer, prefix).
func (Adapter) GrantAccess(ctx context.Context, c adapter.Call, peer, prefix string) error {
	return grantCall(ctx, c, "grant", peer, prefix)
}

// RevokeAccess maps onto revoke(peer, prefix).
func (Adapter) RevokeAccess(ctx context.Context, c adapter.Call, peer, prefix string) error {
	return grantCall(ctx, c, "revoke", peer, prefix)
}

func grantCall(ctx context.Context, c adapter.Call, method, peerText, prefix string) error {
	peer, err := peerOf("peer", peerText)
	if err != nil {
		return err
	}
	var res personal_3_0_0.GrantResult
	if err := adapter.CallCandid(ctx, c.IC, method, []any{peer, prefix}, []any{&res}); err != nil {
		return personal.RejectError(err)
	}
	if res.Ok != nil {
		return nil
	}
	e := res.Err
	switch {
	case e == nil:
		return adapter.Errorf(adapter.CodeInternal, "%s answered err without a WriteError", method)
	case e.NotFound != nil:
		return adapter.Errorf(adapter.CodeNotFound, "no grant of prefix %q to %s", prefix, peer)
	case e.Invalid != nil:
		return adapter.Errorf(adapter.CodeInvalidArgument, "%s", *e.Invalid)
	case e.Unauthorized != nil:
		return adapter.Errorf(adapter.CodePermissionDenied, "the caller is not the owner of this canister")
	default:
		return adapter.Errorf(adapter.CodeInternal, "%s answered an unexpected WriteError", method)
	}
}

// ListGrants maps onto grants().
func (Adapter) ListGrants(ctx context.Context, c adapter.Call) ([]personalv1.Grant, error) {
	var res []personal_3_0_0.Grant
	if err := adapter.QueryCandid(ctx, c.IC, "grants", []any{}, []any{&res}); err != nil {
		return nil, personal.RejectError(err)
	}
	out := make([]personalv1.Grant, 0, len(res))
	for _, g := range res {
		out = append(out, personalv1.Grant{Peer: g.Peer.String(), Prefix: g.Prefix, GrantedAt: personal2.TimeFromNanos(g.GrantedAt)})
	}
	return out, nil
}

// GetSharedDocument maps onto read_shared(from, key): this canister calls
// from's peer_get_document, which checks its grants.
func (Adapter) GetSharedDocument(ctx context.Context, c adapter.Call, fromText, key string) (*personalv1.Document, error) {
	from, err := peerOf("from", fromText)
	if err != nil {
		return nil, err
	}
	var found *personal_3_0_0.Document
	if err := adapter.CallCandid(ctx, c.IC, "read_shared", []any{from, key}, []any{&found}); err != nil {
		var ic *adapter.ICError
		if errors.As(err, &ic) && ic.RejectCode == 4 && strings.Contains(ic.Message, "has no grant covering") {
			return nil, &adapter.Error{Code: adapter.CodePermissionDenied,
				Message: "canister " + fromText + " shares no prefix covering " + key + " with this canister: " + ic.Message, IC: ic}
		}
		return nil, personal.RejectError(err)
	}
	if found == nil {
		return nil, adapter.Errorf(adapter.CodeNotFound, "canister %s has no document %q", fromText, key)
	}
	return &personalv1.Document{
		Key: found.Key, Content: found.Content, ContentType: found.ContentType,
		Revision: found.Revision.BigInt().Uint64(), UpdatedAt: personal2.TimeFromNanos(found.UpdatedAt),
	}, nil
}
