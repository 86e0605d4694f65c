package gateway

import (
	"context"

	"connectrpc.com/connect"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
)

// personalService is the stable API's handler; every method but Describe
// is forwarded to the canister's adapter.
type personalService struct {
	personalv1connect.UnimplementedPersonalServiceHandler
	g *Gateway
}

var _ personalv1connect.PersonalServiceHandler = (*personalService)(nil)

// Describe is answered by the gateway, from a fresh negotiation: a client
// asking what a canister is right now (say, after upgrading it) must not
// get the cached answer of a minute ago.
func (s *personalService) Describe(ctx context.Context, req *connect.Request[personalv1.DescribeRequest]) (*connect.Response[personalv1.DescribeResponse], error) {
	canister, err := route(req.Header())
	if err != nil {
		return nil, err
	}
	if _, err := s.g.authorize(req.Header(), canister); err != nil {
		return nil, err
	}
	s.g.neg.invalidate(canister)
	b, err := s.g.neg.get(ctx, canister)
	if err != nil {
		return nil, toConnectError(err)
	}
	m := b.adapter.Manifest()
	resp := connect.NewResponse(&personalv1.DescribeResponse{
		CanisterId: canister.String(), Protocol: b.protocol, Adapter: m.Name,
		Capabilities: m.Capabilities, ModuleHash: b.moduleHash,
	})
	resp.Header().Set(HeaderProtocol, b.protocol)
	return resp, nil
}

func (s *personalService) PutDocument(ctx context.Context, req *connect.Request[personalv1.PutDocumentRequest]) (*connect.Response[personalv1.PutDocumentResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.PutDocumentRequest, personalv1.PutDocumentResponse]{
		needs: putNeeds(req.Msg),
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.PutDocumentRequest) (*personalv1.PutDocumentResponse, error) {
			return c.PutDocument(ctx, r)
		},
	})
}

func (s *personalService) GetDocument(ctx context.Context, req *connect.Request[personalv1.GetDocumentRequest]) (*connect.Response[personalv1.GetDocumentResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.GetDocumentRequest, personalv1.GetDocumentResponse]{
		idempotent: true, needs: documentsOnly,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.GetDocumentRequest) (*personalv1.GetDocumentResponse, error) {
			return c.GetDocument(ctx, r)
		},
	})
}

func (s *personalService) ListDocuments(ctx context.Context, req *connect.Request[personalv1.ListDocumentsRequest]) (*connect.Response[personalv1.ListDocumentsResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.ListDocumentsRequest, personalv1.ListDocumentsResponse]{
		idempotent: true, needs: documentsOnly,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.ListDocumentsRequest) (*personalv1.ListDocumentsResponse, error) {
			return c.ListDocuments(ctx, r)
		},
	})
}

func (s *personalService) DeleteDocument(ctx context.Context, req *connect.Request[personalv1.DeleteDocumentRequest]) (*connect.Response[personalv1.DeleteDocumentResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.DeleteDocumentRequest, personalv1.DeleteDocumentResponse]{
		needs: deleteNeeds(req.Msg),
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.DeleteDocumentRequest) (*personalv1.DeleteDocumentResponse, error) {
			return c.DeleteDocument(ctx, r)
		},
	})
}

func (s *personalService) SendMessage(ctx context.Context, req *connect.Request[personalv1.SendMessageRequest]) (*connect.Response[personalv1.SendMessageResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.SendMessageRequest, personalv1.SendMessageResponse]{
		needs: messaging,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.SendMessageRequest) (*personalv1.SendMessageResponse, error) {
			return c.SendMessage(ctx, r)
		},
	})
}

func (s *personalService) ListMessages(ctx context.Context, req *connect.Request[personalv1.ListMessagesRequest]) (*connect.Response[personalv1.ListMessagesResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.ListMessagesRequest, personalv1.ListMessagesResponse]{
		idempotent: true, needs: messaging,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.ListMessagesRequest) (*personalv1.ListMessagesResponse, error) {
			return c.ListMessages(ctx, r)
		},
	})
}

func (s *personalService) AckMessages(ctx context.Context, req *connect.Request[personalv1.AckMessagesRequest]) (*connect.Response[personalv1.AckMessagesResponse], error) {
	return forward(ctx, s.g, req, call[personalv1.AckMessagesRequest, personalv1.AckMessagesResponse]{
		needs: messaging,
		invoke: func(ctx context.Context, c personalv1.PersonalServiceClient, r *personalv1.AckMessagesRequest) (*personalv1.AckMessagesResponse, error) {
			return c.AckMessages(ctx, r)
		},
	})
}
