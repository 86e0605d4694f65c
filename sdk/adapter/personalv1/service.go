package personalv1

import (
	"context"

	"google.golang.org/grpc"

	"github.com/canistry/canistry/sdk/adapter"

	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// Service is the name of the personal API v1 in a Manifest's Services.
const Service adapter.Service = "canistry.personal.v1.PersonalService"

// The capabilities of the personal API v1 (names of its Capability enum).
const (
	CapabilityDocuments         adapter.Capability = "CAPABILITY_DOCUMENTS"
	CapabilityRevisions         adapter.Capability = "CAPABILITY_REVISIONS"
	CapabilityConditionalWrites adapter.Capability = "CAPABILITY_CONDITIONAL_WRITES"
	CapabilityMessaging         adapter.Capability = "CAPABILITY_MESSAGING"
)

// Server is the personal API v1 as an adapter implements it. Describe is
// answered by the gateway itself.
type Server interface {
	PutDocument(ctx context.Context, c adapter.Call, req *PutDocumentRequest) (*Document, error)
	// GetDocument returns a *adapter.Error with CodeNotFound when there is none.
	GetDocument(ctx context.Context, c adapter.Call, key string) (*Document, error)
	ListDocuments(ctx context.Context, c adapter.Call, req *ListDocumentsRequest) (*DocumentPage, error)
	// DeleteDocument reports whether there was such a document.
	DeleteDocument(ctx context.Context, c adapter.Call, req *DeleteDocumentRequest) (bool, error)
	SendMessage(ctx context.Context, c adapter.Call, req *SendMessageRequest) (*SendMessageResult, error)
	ListMessages(ctx context.Context, c adapter.Call, req *ListMessagesRequest) (*MessagePage, error)
	// AckMessages returns how many of the ids were in the inbox.
	AckMessages(ctx context.Context, c adapter.Call, ids []uint64) (uint32, error)
}

func init() {
	adapter.RegisterService(adapter.ServiceBinding{
		Service: Service,
		Capabilities: []adapter.Capability{
			CapabilityDocuments, CapabilityRevisions, CapabilityConditionalWrites, CapabilityMessaging,
			CapabilitySharing,
		},
		Implements: func(a adapter.Adapter) bool { _, ok := a.(Server); return ok },
		Register: func(s grpc.ServiceRegistrar, a adapter.Adapter, calls adapter.Calls) {
			pb.RegisterPersonalServiceServer(s, &grpcServer{impl: a.(Server), calls: calls})
		},
	})
}
