package hosttest

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// documents is the documents part of one protocol family's Candid.
type documents interface {
	get(ctx context.Context, ic *canisterIC, key string) (*personalv1.Document, error)
	put(ctx context.Context, ic *canisterIC, req *personalv1.PutDocumentRequest) (*personalv1.Document, error)
	list(ctx context.Context, ic *canisterIC, req *personalv1.ListDocumentsRequest) (*personalv1.ListDocumentsResponse, error)
	remove(ctx context.Context, ic *canisterIC, req *personalv1.DeleteDocumentRequest) (bool, error)
}

type personal struct {
	personalv1.UnimplementedPersonalServiceServer
	ics  *icConns
	docs documents
}

func newPersonal(broker *plugin.GRPCBroker, m *adapterv1.GetManifestResponse) *personal {
	var docs documents = v2Documents{}
	if m.GetName() == "personal1" {
		docs = v1Documents{}
	}
	return &personal{ics: &icConns{broker: broker, conns: map[uint32]adapterv1.IcServiceClient{}}, docs: docs}
}

func (p *personal) GetDocument(ctx context.Context, req *personalv1.GetDocumentRequest) (*personalv1.GetDocumentResponse, error) {
	ic, err := p.ics.requestIC(ctx)
	if err != nil {
		return nil, err
	}
	d, err := p.docs.get(ctx, ic, req.GetKey())
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, status.Errorf(codes.NotFound, "no document %q", req.GetKey())
	}
	return &personalv1.GetDocumentResponse{Document: d}, nil
}

func (p *personal) PutDocument(ctx context.Context, req *personalv1.PutDocumentRequest) (*personalv1.PutDocumentResponse, error) {
	ic, err := p.ics.requestIC(ctx)
	if err != nil {
		return nil, err
	}
	d, err := p.docs.put(ctx, ic, req)
	if err != nil {
		return nil, err
	}
	return &personalv1.PutDocumentResponse{Document: d}, nil
}

func (p *personal) ListDocuments(ctx context.Context, req *personalv1.ListDocumentsRequest) (*personalv1.ListDocumentsResponse, error) {
	ic, err := p.ics.requestIC(ctx)
	if err != nil {
		return nil, err
	}
	return p.docs.list(ctx, ic, req)
}

func (p *personal) DeleteDocument(ctx context.Context, req *personalv1.DeleteDocumentRequest) (*personalv1.DeleteDocumentResponse, error) {
	ic, err := p.ics.requestIC(ctx)
	if err != nil {
		return nil, err
	}
	ok, err := p.docs.remove(ctx, ic, req)
	if err != nil {
		return nil, err
	}
	return &personalv1.DeleteDocumentResponse{Deleted: ok}, nil
}
