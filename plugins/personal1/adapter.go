// Package personal1 is the built-in adapter for personal canisters of
// protocol 1.x, a plain key-value store: documents are its values, with no
// content types, revisions or update times, and no messaging.
package personal1

import (
	"context"
	"slices"
	"strings"

	"github.com/canistry/canistry/plugins/internal/personal"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// Adapter serves personal 1.x through the personal API v1.
type Adapter struct {
	personal.WithoutMessaging
}

// New returns the personal 1.x adapter.
func New() adapter.Adapter { return Adapter{} }

// Manifest implements adapter.Adapter.
func (Adapter) Manifest() adapter.Manifest {
	return adapter.Manifest{
		Name:         "personal1",
		Version:      "1.0.0",
		Protocol:     "personal",
		Constraint:   ">= 1.0, < 2.0",
		Services:     []adapter.Service{personalv1.Service},
		Capabilities: []adapter.Capability{personalv1.CapabilityDocuments},
	}
}

// PutDocument stores the content with put(key, value). The canister keeps
// neither content types nor revisions, so it refuses what it cannot honour
// rather than silently dropping it.
func (Adapter) PutDocument(ctx context.Context, c adapter.Call, req *personalv1.PutDocumentRequest) (*personalv1.Document, error) {
	if req.ContentType != "" && req.ContentType != personalv1.DefaultContentType {
		return nil, adapter.Errorf(adapter.CodeFailedPrecondition,
			"%s keeps no content types (content_type %q needs personal/2.0.0)", c.Target.Protocol, req.ContentType)
	}
	if req.IfRevision != nil {
		return nil, adapter.Errorf(adapter.CodeFailedPrecondition,
			"%s has no conditional writes (if_revision needs personal/2.0.0)", c.Target.Protocol)
	}
	if err := adapter.CallCandid(ctx, c.IC, "put", []any{req.Key, req.Content}, nil); err != nil {
		return nil, personal.RejectError(err)
	}
	return document(req.Key, req.Content), nil
}

// GetDocument reads the value with get(key).
func (Adapter) GetDocument(ctx context.Context, c adapter.Call, key string) (*personalv1.Document, error) {
	content, found, err := get(ctx, c, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, adapter.Errorf(adapter.CodeNotFound, "no document %q", key)
	}
	return document(key, content), nil
}

// ListDocuments pages through keys(), which the canister bounds to 4 096
// keys so that it always fits one reply, then reads each key of the page.
// The page token is the last key of the previous page.
func (Adapter) ListDocuments(ctx context.Context, c adapter.Call, req *personalv1.ListDocumentsRequest) (*personalv1.DocumentPage, error) {
	after, err := adapter.DecodePageToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := adapter.QueryCandid(ctx, c.IC, "keys", nil, []any{&keys}); err != nil {
		return nil, personal.RejectError(err)
	}
	keys = pageOfKeys(keys, req.Prefix, after)
	page := &personalv1.DocumentPage{}
	size := int(personalv1.PageSize(req.PageSize))
	if len(keys) > size {
		keys = keys[:size]
		page.NextPageToken = adapter.EncodePageToken(keys[size-1])
	}
	for _, key := range keys {
		content, found, err := get(ctx, c, key)
		if err != nil {
			return nil, err
		}
		if found { // removed between keys() and get(): it is gone, skip it
			page.Documents = append(page.Documents, *document(key, content))
		}
	}
	return page, nil
}

// pageOfKeys keeps the keys with the prefix strictly after the cursor, in
// ascending order.
func pageOfKeys(keys []string, prefix, after string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) && (after == "" || k > after) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// DeleteDocument removes the key with remove(key).
func (Adapter) DeleteDocument(ctx context.Context, c adapter.Call, req *personalv1.DeleteDocumentRequest) (bool, error) {
	if req.IfRevision != nil {
		return false, adapter.Errorf(adapter.CodeFailedPrecondition,
			"%s has no conditional deletes (if_revision needs personal/2.0.0)", c.Target.Protocol)
	}
	var removed bool
	if err := adapter.CallCandid(ctx, c.IC, "remove", []any{req.Key}, []any{&removed}); err != nil {
		return false, personal.RejectError(err)
	}
	return removed, nil
}

func get(ctx context.Context, c adapter.Call, key string) ([]byte, bool, error) {
	var value *[]byte
	if err := adapter.QueryCandid(ctx, c.IC, "get", []any{key}, []any{&value}); err != nil {
		return nil, false, personal.RejectError(err)
	}
	if value == nil {
		return nil, false, nil
	}
	return *value, true, nil
}

func document(key string, content []byte) *personalv1.Document {
	return &personalv1.Document{Key: key, Content: content, ContentType: personalv1.DefaultContentType}
}
