package adaptertest

import (
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// checkConditionalWrites: if_revision is honoured with
// CAPABILITY_CONDITIONAL_WRITES (a mismatch is Aborted) and refused with
// FailedPrecondition without it, never silently ignored.
func (s *suite) checkConditionalWrites(t *testing.T) {
	if s.readOnly {
		t.Skip("a read-only adapter writes nothing")
	}
	const key = "conformance/conditional"
	if !s.has(personalv1.CapabilityConditionalWrites) {
		_, err := s.c.put(ctx(t), &personalv1.PutDocumentRequest{Key: key, Content: []byte("x"), IfRevision: ptr[uint64](0)})
		wantCode(t, "PutDocument with if_revision", err, adapter.CodeFailedPrecondition)
		if _, err := s.c.get(ctx(t), key); err == nil {
			t.Errorf("the refused conditional PutDocument stored %q anyway", key)
		}
		mustPut(t, s.c, &personalv1.PutDocumentRequest{Key: key, Content: []byte("x")})
		_, err = s.c.delete(ctx(t), &personalv1.DeleteDocumentRequest{Key: key, IfRevision: ptr[uint64](1)})
		wantCode(t, "DeleteDocument with if_revision", err, adapter.CodeFailedPrecondition)
		mustGet(t, s.c, key)
		return
	}
	created := mustPut(t, s.c, &personalv1.PutDocumentRequest{Key: key, Content: []byte("v1"), IfRevision: ptr[uint64](0)})
	if created.Revision != 1 {
		t.Errorf("create-only PutDocument answered revision %d, want 1", created.Revision)
	}
	_, err := s.c.put(ctx(t), &personalv1.PutDocumentRequest{Key: key, Content: []byte("again"), IfRevision: ptr[uint64](0)})
	wantCode(t, "create-only PutDocument of an existing key", err, adapter.CodeAborted)
	replaced := mustPut(t, s.c, &personalv1.PutDocumentRequest{Key: key, Content: []byte("v2"), IfRevision: ptr[uint64](1)})
	if replaced.Revision != 2 {
		t.Errorf("PutDocument at revision 1 answered revision %d, want 2", replaced.Revision)
	}
	_, err = s.c.put(ctx(t), &personalv1.PutDocumentRequest{Key: key, Content: []byte("stale"), IfRevision: ptr[uint64](1)})
	wantCode(t, "PutDocument at a stale revision", err, adapter.CodeAborted)
	if got := mustGet(t, s.c, key); string(got.Content) != "v2" {
		t.Errorf("after a refused stale write the content is %q, want v2", got.Content)
	}
	_, err = s.c.delete(ctx(t), &personalv1.DeleteDocumentRequest{Key: key, IfRevision: ptr[uint64](1)})
	wantCode(t, "DeleteDocument at a stale revision", err, adapter.CodeAborted)
	deleted, err := s.c.delete(ctx(t), &personalv1.DeleteDocumentRequest{Key: key, IfRevision: ptr[uint64](2)})
	if err != nil || !deleted {
		t.Errorf("DeleteDocument at the current revision = %v, %v; want true", deleted, err)
	}
}
