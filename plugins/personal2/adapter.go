// Package personal2 is the built-in adapter for personal canisters of
// protocol 2.x: revisioned documents with content types, update times and
// conditional writes, no messaging. Its document methods also serve 3.x,
// whose document interface is unchanged.
package personal2

import (
	"context"

	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
	"github.com/canistry/canistry/plugins/internal/personal"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// Adapter serves personal 2.x through the personal API v1.
type Adapter struct {
	personal.WithoutMessaging
}

// New returns the personal 2.x adapter.
func New() adapter.Adapter { return Adapter{} }

// Manifest implements adapter.Adapter.
func (Adapter) Manifest() adapter.Manifest {
	return adapter.Manifest{
		Name:       "personal2",
		Version:    "2.0.0",
		Protocol:   "personal",
		Constraint: ">= 2.0, < 3.0",
		Services:   []adapter.Service{personalv1.Service},
		Capabilities: []adapter.Capability{
			personalv1.CapabilityDocuments, personalv1.CapabilityRevisions, personalv1.CapabilityConditionalWrites,
		},
	}
}

// PutDocument maps onto put_document; an empty content type is the
// stable API's "application/octet-stream".
func (Adapter) PutDocument(ctx context.Context, c adapter.Call, req *personalv1.PutDocumentRequest) (*personalv1.Document, error) {
	contentType := req.ContentType
	if contentType == "" {
		contentType = personalv1.DefaultContentType
	}
	var res personal_2_0_0.PutResult
	args := []any{req.Key, req.Content, contentType, optNat(req.IfRevision)}
	if err := adapter.CallCandid(ctx, c.IC, "put_document", args, []any{&res}); err != nil {
		return nil, personal.RejectError(err)
	}
	if res.Ok == nil {
		return nil, writeErrorOf(res.Err, req.Key)
	}
	doc := documentOf(res.Ok)
	return &doc, nil
}

// GetDocument maps onto get_document.
func (Adapter) GetDocument(ctx context.Context, c adapter.Call, key string) (*personalv1.Document, error) {
	var found *personal_2_0_0.Document
	if err := adapter.QueryCandid(ctx, c.IC, "get_document", []any{key}, []any{&found}); err != nil {
		return nil, personal.RejectError(err)
	}
	if found == nil {
		return nil, adapter.Errorf(adapter.CodeNotFound, "no document %q", key)
	}
	doc := documentOf(found)
	return &doc, nil
}

// ListDocuments maps onto list_documents; the page token wraps the
// canister's cursor, the last key of the previous page.
func (Adapter) ListDocuments(ctx context.Context, c adapter.Call, req *personalv1.ListDocumentsRequest) (*personalv1.DocumentPage, error) {
	cursor, err := adapter.DecodePageToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	var optCursor *string
	if cursor != "" {
		optCursor = &cursor
	}
	var res personal_2_0_0.DocumentPage
	args := []any{req.Prefix, natOf(uint64(personalv1.PageSize(req.PageSize))), optCursor}
	if err := adapter.QueryCandid(ctx, c.IC, "list_documents", args, []any{&res}); err != nil {
		return nil, personal.RejectError(err)
	}
	page := &personalv1.DocumentPage{Documents: make([]personalv1.Document, 0, len(res.Documents))}
	for i := range res.Documents {
		page.Documents = append(page.Documents, documentOf(&res.Documents[i]))
	}
	if res.NextCursor != nil {
		page.NextPageToken = adapter.EncodePageToken(*res.NextCursor)
	}
	return page, nil
}

// DeleteDocument maps onto delete_document. A missing document is not an
// error of the stable API: it answers false.
func (Adapter) DeleteDocument(ctx context.Context, c adapter.Call, req *personalv1.DeleteDocumentRequest) (bool, error) {
	var res personal_2_0_0.DeleteResult
	args := []any{req.Key, optNat(req.IfRevision)}
	if err := adapter.CallCandid(ctx, c.IC, "delete_document", args, []any{&res}); err != nil {
		return false, personal.RejectError(err)
	}
	switch {
	case res.Ok != nil:
		return true, nil
	case res.Err != nil && res.Err.NotFound != nil:
		return false, nil
	default:
		return false, writeErrorOf(res.Err, req.Key)
	}
}
