package hosttest

import (
	"context"
	"sort"
	"strings"

	"github.com/aviate-labs/agent-go/candid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/personalapi"
)

// v1Documents speaks personal/1.x: put, get, keys, remove.
type v1Documents struct{}

// candidError is a Candid encoding or decoding failure: an interface
// mismatch, signalled by its typed detail.
func candidError(err error) error {
	return mismatch(status.Newf(codes.Internal, "candid: %v", err), "", err.Error())
}

func (v1Documents) get(ctx context.Context, ic *canisterIC, key string) (*personalv1.Document, error) {
	arg, err := candid.Marshal([]any{key})
	if err != nil {
		return nil, candidError(err)
	}
	reply, err := ic.query(ctx, "get", arg)
	if err != nil {
		return nil, err
	}
	var value *[]byte
	if err := candid.Unmarshal(reply, []any{&value}); err != nil {
		return nil, candidError(err)
	}
	if value == nil {
		return nil, nil
	}
	return &personalv1.Document{Key: key, Content: *value, ContentType: personalapi.DefaultContentType}, nil
}

func (v1Documents) put(ctx context.Context, ic *canisterIC, req *personalv1.PutDocumentRequest) (*personalv1.Document, error) {
	if req.IfRevision != nil || (req.GetContentType() != "" && req.GetContentType() != personalapi.DefaultContentType) {
		return nil, status.Error(codes.FailedPrecondition, "personal/1.x keeps neither revisions nor content types")
	}
	arg, err := candid.Marshal([]any{req.GetKey(), req.GetContent()})
	if err != nil {
		return nil, candidError(err)
	}
	if _, err := ic.call(ctx, "put", arg); err != nil {
		return nil, err
	}
	return &personalv1.Document{Key: req.GetKey(), Content: req.GetContent(), ContentType: personalapi.DefaultContentType}, nil
}

func (v v1Documents) list(ctx context.Context, ic *canisterIC, req *personalv1.ListDocumentsRequest) (*personalv1.ListDocumentsResponse, error) {
	reply, err := ic.query(ctx, "keys", []byte("DIDL\x00\x00"))
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := candid.Unmarshal(reply, []any{&keys}); err != nil {
		return nil, candidError(err)
	}
	sort.Strings(keys)
	size := pageSize(req.GetPageSize())
	resp := &personalv1.ListDocumentsResponse{}
	for _, k := range keys {
		if !strings.HasPrefix(k, req.GetPrefix()) || k <= req.GetPageToken() {
			continue
		}
		if len(resp.Documents) == size {
			resp.NextPageToken = resp.Documents[size-1].Key
			break
		}
		d, err := v.get(ctx, ic, k)
		if err != nil {
			return nil, err
		}
		if d != nil {
			resp.Documents = append(resp.Documents, d)
		}
	}
	return resp, nil
}

func (v1Documents) remove(ctx context.Context, ic *canisterIC, req *personalv1.DeleteDocumentRequest) (bool, error) {
	if req.IfRevision != nil {
		return false, status.Error(codes.FailedPrecondition, "personal/1.x keeps no revisions")
	}
	arg, err := candid.Marshal([]any{req.GetKey()})
	if err != nil {
		return false, candidError(err)
	}
	reply, err := ic.call(ctx, "remove", arg)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := candid.Unmarshal(reply, []any{&ok}); err != nil {
		return false, candidError(err)
	}
	return ok, nil
}

// pageSize is the request's page size: 50 by default, at most 100.
func pageSize(n uint32) int {
	switch {
	case n == 0:
		return 50
	case n > 100:
		return 100
	}
	return int(n)
}
