// Command example is a third-party style Canistry adapter: a read-only
// view of personal 1.x canisters, for a gateway that should let clients
// read but never write them. It uses only the SDK (sdk/adapter) and
// agent-go's candid package, as an adapter in its own module would.
//
//	go build -o archive1 ./sdk/adapter/example
//	canistry gateway --plugin-dir DIR   # DIR holds archive1 and its checksum
package main

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

func main() { adapter.Serve(archive{}) }

// archive serves personal 1.x read-only.
type archive struct{}

func (archive) Manifest() adapter.Manifest {
	return adapter.Manifest{
		Name:         "archive1",
		Version:      "0.1.0",
		Protocol:     "personal",
		Constraint:   ">= 1.0, < 2.0",
		Services:     []adapter.Service{personalv1.Service},
		Capabilities: []adapter.Capability{personalv1.CapabilityDocuments},
	}
}

func (archive) GetDocument(ctx context.Context, c adapter.Call, key string) (*personalv1.Document, error) {
	var value *[]byte // Candid: get : (text) -> (opt blob) query
	if err := adapter.QueryCandid(ctx, c.IC, "get", []any{key}, []any{&value}); err != nil {
		return nil, icError(err)
	}
	if value == nil {
		return nil, adapter.Errorf(adapter.CodeNotFound, "no document %q", key)
	}
	return &personalv1.Document{Key: key, Content: *value, ContentType: personalv1.DefaultContentType}, nil
}

// ListDocuments reads keys() (the canister keeps them few enough for one
// reply), keeps one page after the token's key and reads each document.
func (a archive) ListDocuments(ctx context.Context, c adapter.Call, req *personalv1.ListDocumentsRequest) (*personalv1.DocumentPage, error) {
	after, err := adapter.DecodePageToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := adapter.QueryCandid(ctx, c.IC, "keys", nil, []any{&keys}); err != nil {
		return nil, icError(err)
	}
	keys = slices.DeleteFunc(keys, func(k string) bool {
		return !strings.HasPrefix(k, req.Prefix) || (after != "" && k <= after)
	})
	slices.Sort(keys)
	page := &personalv1.DocumentPage{}
	if size := int(personalv1.PageSize(req.PageSize)); len(keys) > size {
		keys = keys[:size]
		page.NextPageToken = adapter.EncodePageToken(keys[size-1])
	}
	for _, key := range keys {
		doc, err := a.GetDocument(ctx, c, key)
		var ae *adapter.Error
		if errors.As(err, &ae) && ae.Code == adapter.CodeNotFound {
			continue // removed since keys(): gone, not an error of the listing
		}
		if err != nil {
			return nil, err
		}
		page.Documents = append(page.Documents, *doc)
	}
	return page, nil
}

// icError maps the IC's refusals: the personal canister rejects a caller
// that is not its owner with a message saying so; the SDK maps the rest.
func icError(err error) error {
	var ic *adapter.ICError
	if errors.As(err, &ic) && ic.RejectCode == 4 && strings.Contains(ic.Message, "is not the owner") {
		return &adapter.Error{Code: adapter.CodePermissionDenied, Message: ic.Message, IC: ic}
	}
	return adapter.FromIC(err)
}

func readOnly() error {
	return adapter.Errorf(adapter.CodeFailedPrecondition, "archive1 is read-only")
}

func (archive) PutDocument(context.Context, adapter.Call, *personalv1.PutDocumentRequest) (*personalv1.Document, error) {
	return nil, readOnly()
}

func (archive) DeleteDocument(context.Context, adapter.Call, *personalv1.DeleteDocumentRequest) (bool, error) {
	return false, readOnly()
}

func noMessaging() error {
	return adapter.Errorf(adapter.CodeUnimplemented, "personal 1.x has no messaging")
}

func (archive) SendMessage(context.Context, adapter.Call, *personalv1.SendMessageRequest) (*personalv1.SendMessageResult, error) {
	return nil, noMessaging()
}

func (archive) ListMessages(context.Context, adapter.Call, *personalv1.ListMessagesRequest) (*personalv1.MessagePage, error) {
	return nil, noMessaging()
}

func (archive) AckMessages(context.Context, adapter.Call, []uint64) (uint32, error) {
	return 0, noMessaging()
}
