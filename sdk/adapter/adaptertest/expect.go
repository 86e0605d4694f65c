package adaptertest

import (
	"errors"
	"slices"
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// writeRefusals are the codes a refused write may carry: the version
// cannot honour it, the adapter does not do it, or it is not allowed.
var writeRefusals = []adapter.Code{adapter.CodeFailedPrecondition, adapter.CodeUnimplemented, adapter.CodePermissionDenied}

// wantCode fails unless err is an *adapter.Error with one of codes.
func wantCode(t *testing.T, what string, err error, codes ...adapter.Code) {
	t.Helper()
	var ae *adapter.Error
	switch {
	case err == nil:
		t.Errorf("%s: no error, want code %v", what, codes)
	case !errors.As(err, &ae):
		t.Errorf("%s: %T %v, want an *adapter.Error", what, err, err)
	case !slices.Contains(codes, ae.Code):
		t.Errorf("%s: code %d (%s), want one of %v", what, ae.Code, ae.Message, codes)
	case ae.Message == "":
		t.Errorf("%s: code %d without a message", what, ae.Code)
	}
}

func mustPut(t *testing.T, c *client, req *personalv1.PutDocumentRequest) *personalv1.Document {
	t.Helper()
	doc, err := c.put(ctx(t), req)
	if err != nil {
		t.Fatalf("PutDocument(%q): %v", req.Key, err)
	}
	return doc
}

func mustGet(t *testing.T, c *client, key string) *personalv1.Document {
	t.Helper()
	doc, err := c.get(ctx(t), key)
	if err != nil {
		t.Fatalf("GetDocument(%q): %v", key, err)
	}
	return doc
}

func ptr[T any](v T) *T { return &v }
