package adaptertest

import (
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// checkStrangers: a personal canister serves only its owner; what it
// refuses to anyone else reaches the client as PermissionDenied, not as
// a generic failure.
func (s *suite) checkStrangers(t *testing.T) {
	const key = "conformance/private"
	mustPut(t, s.writer, &personalv1.PutDocumentRequest{Key: key, Content: []byte("mine")})
	_, err := s.stranger.get(ctx(t), key)
	wantCode(t, "GetDocument by a stranger", err, adapter.CodePermissionDenied)
	_, err = s.stranger.list(ctx(t), &personalv1.ListDocumentsRequest{})
	wantCode(t, "ListDocuments by a stranger", err, adapter.CodePermissionDenied)
	_, err = s.stranger.put(ctx(t), &personalv1.PutDocumentRequest{Key: key, Content: []byte("theirs")})
	if s.readOnly {
		wantCode(t, "PutDocument by a stranger", err, writeRefusals...)
	} else {
		wantCode(t, "PutDocument by a stranger", err, adapter.CodePermissionDenied)
	}
	if got := mustGet(t, s.c, key); string(got.Content) != "mine" {
		t.Errorf("after a stranger's refused write the content is %q, want mine", got.Content)
	}
}
