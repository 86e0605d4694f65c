package personalv1

import pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"

// Requests arrive as protobuf and reach the adapter as the SDK's types.

func putDocumentRequestFromProto(r *pb.PutDocumentRequest) *PutDocumentRequest {
	return &PutDocumentRequest{
		Key:         r.GetKey(),
		Content:     r.GetContent(),
		ContentType: r.GetContentType(),
		IfRevision:  r.IfRevision,
	}
}

func listDocumentsRequestFromProto(r *pb.ListDocumentsRequest) *ListDocumentsRequest {
	return &ListDocumentsRequest{Prefix: r.GetPrefix(), PageSize: r.GetPageSize(), PageToken: r.GetPageToken()}
}

func deleteDocumentRequestFromProto(r *pb.DeleteDocumentRequest) *DeleteDocumentRequest {
	return &DeleteDocumentRequest{Key: r.GetKey(), IfRevision: r.IfRevision}
}

func sendMessageRequestFromProto(r *pb.SendMessageRequest) *SendMessageRequest {
	return &SendMessageRequest{To: r.GetTo(), Body: r.GetBody()}
}

func listMessagesRequestFromProto(r *pb.ListMessagesRequest) *ListMessagesRequest {
	return &ListMessagesRequest{PageSize: r.GetPageSize(), PageToken: r.GetPageToken()}
}
