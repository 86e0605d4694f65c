package personalv1

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/sdk/adapter"

	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// grpcServer serves PersonalService over the plugin connection: each method
// converts the request from protobuf, builds the Call from the metadata,
// runs the adapter and converts the answer back.
type grpcServer struct {
	pb.UnimplementedPersonalServiceServer
	impl  Server
	calls adapter.Calls
}

// serve is every method's path: the request's Call, the adapter's method,
// its error through the SDK's one mapping, its answer to protobuf.
func serve[Res any](ctx context.Context, calls adapter.Calls, run func(adapter.Call) (Res, error)) (Res, error) {
	var zero Res
	c, err := calls.CallFromContext(ctx)
	if err != nil {
		return zero, err
	}
	res, err := run(c)
	if err != nil {
		return zero, adapter.ErrorToStatus(err)
	}
	return res, nil
}

// Describe is the gateway's to answer: it knows the canister's version,
// module hash and adapter, which the adapter does not.
func (s *grpcServer) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return nil, status.Error(codes.Unimplemented, "adapter: Describe is answered by the gateway, not by adapters")
}

func (s *grpcServer) PutDocument(ctx context.Context, req *pb.PutDocumentRequest) (*pb.PutDocumentResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.PutDocumentResponse, error) {
		doc, err := s.impl.PutDocument(ctx, c, putDocumentRequestFromProto(req))
		return &pb.PutDocumentResponse{Document: documentToProto(doc)}, err
	})
}

func (s *grpcServer) GetDocument(ctx context.Context, req *pb.GetDocumentRequest) (*pb.GetDocumentResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.GetDocumentResponse, error) {
		doc, err := s.impl.GetDocument(ctx, c, req.GetKey())
		return &pb.GetDocumentResponse{Document: documentToProto(doc)}, err
	})
}

func (s *grpcServer) ListDocuments(ctx context.Context, req *pb.ListDocumentsRequest) (*pb.ListDocumentsResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.ListDocumentsResponse, error) {
		page, err := s.impl.ListDocuments(ctx, c, listDocumentsRequestFromProto(req))
		return documentPageToProto(page), err
	})
}

func (s *grpcServer) DeleteDocument(ctx context.Context, req *pb.DeleteDocumentRequest) (*pb.DeleteDocumentResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.DeleteDocumentResponse, error) {
		deleted, err := s.impl.DeleteDocument(ctx, c, deleteDocumentRequestFromProto(req))
		return &pb.DeleteDocumentResponse{Deleted: deleted}, err
	})
}

func (s *grpcServer) SendMessage(ctx context.Context, req *pb.SendMessageRequest) (*pb.SendMessageResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.SendMessageResponse, error) {
		res, err := s.impl.SendMessage(ctx, c, sendMessageRequestFromProto(req))
		return sendMessageResultToProto(res), err
	})
}

func (s *grpcServer) ListMessages(ctx context.Context, req *pb.ListMessagesRequest) (*pb.ListMessagesResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.ListMessagesResponse, error) {
		page, err := s.impl.ListMessages(ctx, c, listMessagesRequestFromProto(req))
		return messagePageToProto(page), err
	})
}

func (s *grpcServer) AckMessages(ctx context.Context, req *pb.AckMessagesRequest) (*pb.AckMessagesResponse, error) {
	return serve(ctx, s.calls, func(c adapter.Call) (*pb.AckMessagesResponse, error) {
		n, err := s.impl.AckMessages(ctx, c, req.GetIds())
		return &pb.AckMessagesResponse{Acknowledged: n}, err
	})
}
