package adapter

import personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"

// Requests arrive as protobuf and reach the adapter as the SDK's types.

func putDocumentRequestFromProto(r *personalv1.PutDocumentRequest) *PutDocumentRequest {
	return &PutDocumentRequest{
		Key:         r.GetKey(),
		Content:     r.GetContent(),
		ContentType: r.GetContentType(),
		IfRevision:  r.IfRevision,
	}
}

func listDocumentsRequestFromProto(r *personalv1.ListDocumentsRequest) *ListDocumentsRequest {
	return &ListDocumentsRequest{Prefix: r.GetPrefix(), PageSize: r.GetPageSize(), PageToken: r.GetPageToken()}
}

func deleteDocumentRequestFromProto(r *personalv1.DeleteDocumentRequest) *DeleteDocumentRequest {
	return &DeleteDocumentRequest{Key: r.GetKey(), IfRevision: r.IfRevision}
}
