package adapter

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// personalServer serves PersonalService over the plugin connection: each
// method converts the request from protobuf, builds the Call from the
// metadata, runs the adapter and converts the answer back.
type personalServer struct {
	personalv1.UnimplementedPersonalServiceServer
	impl PersonalV1
	ic   *icDialer
}

// Describe is the gateway's to answer: it knows the canister's version,
// module hash and adapter, which the adapter does not.
func (s *personalServer) Describe(context.Context, *personalv1.DescribeRequest) (*personalv1.DescribeResponse, error) {
	return nil, status.Error(codes.Unimplemented, "adapter: Describe is answered by the gateway, not by adapters")
}

func (s *personalServer) PutDocument(ctx context.Context, req *personalv1.PutDocumentRequest) (*personalv1.PutDocumentResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := s.impl.PutDocument(ctx, c, putDocumentRequestFromProto(req))
	if err != nil {
		return nil, errorToStatus(err)
	}
	return &personalv1.PutDocumentResponse{Document: documentToProto(doc)}, nil
}

func (s *personalServer) GetDocument(ctx context.Context, req *personalv1.GetDocumentRequest) (*personalv1.GetDocumentResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := s.impl.GetDocument(ctx, c, req.GetKey())
	if err != nil {
		return nil, errorToStatus(err)
	}
	return &personalv1.GetDocumentResponse{Document: documentToProto(doc)}, nil
}

func (s *personalServer) ListDocuments(ctx context.Context, req *personalv1.ListDocumentsRequest) (*personalv1.ListDocumentsResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	page, err := s.impl.ListDocuments(ctx, c, listDocumentsRequestFromProto(req))
	if err != nil {
		return nil, errorToStatus(err)
	}
	return documentPageToProto(page), nil
}

func (s *personalServer) DeleteDocument(ctx context.Context, req *personalv1.DeleteDocumentRequest) (*personalv1.DeleteDocumentResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	deleted, err := s.impl.DeleteDocument(ctx, c, deleteDocumentRequestFromProto(req))
	if err != nil {
		return nil, errorToStatus(err)
	}
	return &personalv1.DeleteDocumentResponse{Deleted: deleted}, nil
}

func (s *personalServer) SendMessage(ctx context.Context, req *personalv1.SendMessageRequest) (*personalv1.SendMessageResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.impl.SendMessage(ctx, c, &SendMessageRequest{To: req.GetTo(), Body: req.GetBody()})
	if err != nil {
		return nil, errorToStatus(err)
	}
	return sendMessageResultToProto(res), nil
}

func (s *personalServer) ListMessages(ctx context.Context, req *personalv1.ListMessagesRequest) (*personalv1.ListMessagesResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	page, err := s.impl.ListMessages(ctx, c, &ListMessagesRequest{PageSize: req.GetPageSize(), PageToken: req.GetPageToken()})
	if err != nil {
		return nil, errorToStatus(err)
	}
	return messagePageToProto(page), nil
}

func (s *personalServer) AckMessages(ctx context.Context, req *personalv1.AckMessagesRequest) (*personalv1.AckMessagesResponse, error) {
	c, err := s.ic.callFromContext(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.impl.AckMessages(ctx, c, req.GetIds())
	if err != nil {
		return nil, errorToStatus(err)
	}
	return &personalv1.AckMessagesResponse{Acknowledged: n}, nil
}
