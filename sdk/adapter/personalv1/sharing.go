package personalv1

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/canistry/canistry/sdk/adapter"

	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// CapabilitySharing: peers read documents by key prefix.
const CapabilitySharing adapter.Capability = "CAPABILITY_SHARING"

// SharingServer is what an adapter declaring CapabilitySharing implements
// beside Server. It is a separate interface so that adapters of versions
// without sharing need not answer for it (the gateway refuses such
// requests before they reach them).
type SharingServer interface {
	// GrantAccess lets the peer canister read documents under prefix.
	GrantAccess(ctx context.Context, c adapter.Call, peer, prefix string) error
	// RevokeAccess returns a *adapter.Error with CodeNotFound when there
	// is no such grant.
	RevokeAccess(ctx context.Context, c adapter.Call, peer, prefix string) error
	ListGrants(ctx context.Context, c adapter.Call) ([]Grant, error)
	// GetSharedDocument has the canister read a document the canister from
	// shares with it; *adapter.Error with CodePermissionDenied without a
	// grant, CodeNotFound when there is no document.
	GetSharedDocument(ctx context.Context, c adapter.Call, from, key string) (*Document, error)
}

// Grant is read access for a peer canister to a key prefix.
type Grant struct {
	Peer      string
	Prefix    string
	GrantedAt time.Time
}

func (s *grpcServer) sharing() (SharingServer, error) {
	if sh, ok := s.impl.(SharingServer); ok {
		return sh, nil
	}
	return nil, status.Error(codes.Unimplemented, "adapter: this adapter does not implement sharing")
}

func (s *grpcServer) GrantAccess(ctx context.Context, req *pb.GrantAccessRequest) (*pb.GrantAccessResponse, error) {
	sh, err := s.sharing()
	if err != nil {
		return nil, err
	}
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.GrantAccessResponse, error) {
		return &pb.GrantAccessResponse{}, sh.GrantAccess(ctx, c, req.GetPeer(), req.GetPrefix())
	})
}

func (s *grpcServer) RevokeAccess(ctx context.Context, req *pb.RevokeAccessRequest) (*pb.RevokeAccessResponse, error) {
	sh, err := s.sharing()
	if err != nil {
		return nil, err
	}
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.RevokeAccessResponse, error) {
		return &pb.RevokeAccessResponse{}, sh.RevokeAccess(ctx, c, req.GetPeer(), req.GetPrefix())
	})
}

func (s *grpcServer) ListGrants(ctx context.Context, _ *pb.ListGrantsRequest) (*pb.ListGrantsResponse, error) {
	sh, err := s.sharing()
	if err != nil {
		return nil, err
	}
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.ListGrantsResponse, error) {
		grants, err := sh.ListGrants(ctx, c)
		out := &pb.ListGrantsResponse{}
		for _, g := range grants {
			out.Grants = append(out.Grants, &pb.Grant{Peer: g.Peer, Prefix: g.Prefix, GrantedAt: timestamppb.New(g.GrantedAt)})
		}
		return out, err
	})
}

func (s *grpcServer) GetSharedDocument(ctx context.Context, req *pb.GetSharedDocumentRequest) (*pb.GetSharedDocumentResponse, error) {
	sh, err := s.sharing()
	if err != nil {
		return nil, err
	}
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.GetSharedDocumentResponse, error) {
		doc, err := sh.GetSharedDocument(ctx, c, req.GetFrom(), req.GetKey())
		return &pb.GetSharedDocumentResponse{Document: documentToProto(doc)}, err
	})
}
