package gateway

import (
	"context"

	"connectrpc.com/connect"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// The sharing methods (CAPABILITY_SHARING). GetSharedDocument is an update
// on the caller's canister (it calls the sharing canister), so it is not
// retried after an interface change.

var sharing = []personalv1.Capability{personalv1.Capability_CAPABILITY_SHARING}

func (s *personalService) GrantAccess(ctx context.Context, req *connect.Request[personalv1.GrantAccessRequest]) (*connect.Response[personalv1.GrantAccessResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.GrantAccessRequest, personalv1.GrantAccessResponse]{
		needs: sharing,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.GrantAccessRequest) (*personalv1.GrantAccessResponse, error) {
			return c.GrantAccess(ctx, r)
		},
	})
}

func (s *personalService) RevokeAccess(ctx context.Context, req *connect.Request[personalv1.RevokeAccessRequest]) (*connect.Response[personalv1.RevokeAccessResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.RevokeAccessRequest, personalv1.RevokeAccessResponse]{
		needs: sharing,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.RevokeAccessRequest) (*personalv1.RevokeAccessResponse, error) {
			return c.RevokeAccess(ctx, r)
		},
	})
}

func (s *personalService) ListGrants(ctx context.Context, req *connect.Request[personalv1.ListGrantsRequest]) (*connect.Response[personalv1.ListGrantsResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.ListGrantsRequest, personalv1.ListGrantsResponse]{
		idempotent: true, needs: sharing,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.ListGrantsRequest) (*personalv1.ListGrantsResponse, error) {
			return c.ListGrants(ctx, r)
		},
	})
}

func (s *personalService) GetSharedDocument(ctx context.Context, req *connect.Request[personalv1.GetSharedDocumentRequest]) (*connect.Response[personalv1.GetSharedDocumentResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.GetSharedDocumentRequest, personalv1.GetSharedDocumentResponse]{
		needs: sharing,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.GetSharedDocumentRequest) (*personalv1.GetSharedDocumentResponse, error) {
			return c.GetSharedDocument(ctx, r)
		},
	})
}
