package hosttest

import (
	"context"
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/personalapi"
)

// v2Documents speaks the documents of personal/2.x and 3.x, with the
// generated bindings of 2.0.0 (3.0.0 keeps them unchanged).
type v2Documents struct{}

func protoDocument(d *personal_2_0_0.Document) *personalv1.Document {
	return &personalv1.Document{
		Key: d.Key, Content: d.Content, ContentType: d.ContentType,
		Revision:  d.Revision.BigInt().Uint64(),
		UpdatedAt: timestamppb.New(time.Unix(0, d.UpdatedAt.BigInt().Int64())),
	}
}

func writeErrorStatus(e *personal_2_0_0.WriteError) error {
	switch {
	case e.Conflict != nil:
		cur := "none"
		if e.Conflict.Current != nil {
			cur = e.Conflict.Current.BigInt().String()
		}
		return status.Errorf(codes.Aborted, "revision conflict: the document is at revision %s", cur)
	case e.NotFound != nil:
		return status.Error(codes.NotFound, "no such document")
	case e.Invalid != nil:
		return status.Error(codes.InvalidArgument, *e.Invalid)
	case e.Unauthorized != nil:
		return status.Error(codes.PermissionDenied, "the caller does not own this canister")
	}
	return status.Error(codes.Internal, "unknown WriteError")
}

func optNat(p *uint64) *idl.Nat {
	if p == nil {
		return nil
	}
	n := idl.NewNat(*p)
	return &n
}

func (v2Documents) get(ctx context.Context, ic *canisterIC, key string) (*personalv1.Document, error) {
	arg, err := candid.Marshal([]any{key})
	if err != nil {
		return nil, candidError(err)
	}
	reply, err := ic.query(ctx, "get_document", arg)
	if err != nil {
		return nil, err
	}
	var d *personal_2_0_0.Document
	if err := candid.Unmarshal(reply, []any{&d}); err != nil {
		return nil, candidError(err)
	}
	if d == nil {
		return nil, nil
	}
	return protoDocument(d), nil
}

func (v2Documents) put(ctx context.Context, ic *canisterIC, req *personalv1.PutDocumentRequest) (*personalv1.Document, error) {
	ct := req.GetContentType()
	if ct == "" {
		ct = personalapi.DefaultContentType
	}
	arg, err := candid.Marshal([]any{req.GetKey(), req.GetContent(), ct, optNat(req.IfRevision)})
	if err != nil {
		return nil, candidError(err)
	}
	reply, err := ic.call(ctx, "put_document", arg)
	if err != nil {
		return nil, err
	}
	var res personal_2_0_0.PutResult
	if err := candid.Unmarshal(reply, []any{&res}); err != nil {
		return nil, candidError(err)
	}
	if res.Err != nil {
		return nil, writeErrorStatus(res.Err)
	}
	if res.Ok == nil {
		return nil, candidError(fmt.Errorf("put_document: empty result"))
	}
	return protoDocument(res.Ok), nil
}

func (v2Documents) list(ctx context.Context, ic *canisterIC, req *personalv1.ListDocumentsRequest) (*personalv1.ListDocumentsResponse, error) {
	var cursor *string
	if t := req.GetPageToken(); t != "" {
		cursor = &t
	}
	arg, err := candid.Marshal([]any{req.GetPrefix(), idl.NewNat(uint64(pageSize(req.GetPageSize()))), cursor})
	if err != nil {
		return nil, candidError(err)
	}
	reply, err := ic.query(ctx, "list_documents", arg)
	if err != nil {
		return nil, err
	}
	var page personal_2_0_0.DocumentPage
	if err := candid.Unmarshal(reply, []any{&page}); err != nil {
		return nil, candidError(err)
	}
	resp := &personalv1.ListDocumentsResponse{}
	for i := range page.Documents {
		resp.Documents = append(resp.Documents, protoDocument(&page.Documents[i]))
	}
	if page.NextCursor != nil {
		resp.NextPageToken = *page.NextCursor
	}
	return resp, nil
}

func (v2Documents) remove(ctx context.Context, ic *canisterIC, req *personalv1.DeleteDocumentRequest) (bool, error) {
	arg, err := candid.Marshal([]any{req.GetKey(), optNat(req.IfRevision)})
	if err != nil {
		return false, candidError(err)
	}
	reply, err := ic.call(ctx, "delete_document", arg)
	if err != nil {
		return false, err
	}
	var res personal_2_0_0.DeleteResult
	if err := candid.Unmarshal(reply, []any{&res}); err != nil {
		return false, candidError(err)
	}
	if res.Err != nil {
		if res.Err.NotFound != nil {
			return false, nil
		}
		return false, writeErrorStatus(res.Err)
	}
	return true, nil
}
