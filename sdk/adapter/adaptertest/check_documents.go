package adaptertest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// checkDocuments: put, get, overwrite, delete, NotFound, and revisions and
// update times exactly where the manifest declares them.
func (s *suite) checkDocuments(t *testing.T) {
	const key = "conformance/doc"
	before := time.Now().Add(-time.Minute)
	put := mustPut(t, s.writer, &personalv1.PutDocumentRequest{Key: key, Content: []byte("first")})
	got := mustGet(t, s.c, key)
	s.checkDocument(t, got, key, "first", personalv1.DefaultContentType, 1, before)
	if !s.readOnly && (put.Key != key || !bytes.Equal(put.Content, []byte("first"))) {
		t.Errorf("PutDocument answered %+v, want the stored document", put)
	}

	mustPut(t, s.writer, &personalv1.PutDocumentRequest{Key: key, Content: []byte("second")})
	s.checkDocument(t, mustGet(t, s.c, key), key, "second", personalv1.DefaultContentType, 2, before)

	_, err := s.c.get(ctx(t), "conformance/missing")
	wantCode(t, "GetDocument of a missing key", err, adapter.CodeNotFound)

	if s.readOnly {
		_, err := s.c.put(ctx(t), &personalv1.PutDocumentRequest{Key: key, Content: []byte("x")})
		wantCode(t, "PutDocument on a read-only adapter", err, writeRefusals...)
		_, err = s.c.delete(ctx(t), &personalv1.DeleteDocumentRequest{Key: key})
		wantCode(t, "DeleteDocument on a read-only adapter", err, writeRefusals...)
	} else {
		_, err := s.c.put(ctx(t), &personalv1.PutDocumentRequest{Key: "", Content: []byte("x")})
		wantCode(t, "PutDocument with an empty key", err, adapter.CodeInvalidArgument)
	}

	deleted, err := s.writer.delete(ctx(t), &personalv1.DeleteDocumentRequest{Key: key})
	if err != nil || !deleted {
		t.Fatalf("DeleteDocument of a stored key = %v, %v; want true", deleted, err)
	}
	_, err = s.c.get(ctx(t), key)
	wantCode(t, "GetDocument after DeleteDocument", err, adapter.CodeNotFound)
	deleted, err = s.writer.delete(ctx(t), &personalv1.DeleteDocumentRequest{Key: key})
	if err != nil || deleted {
		t.Errorf("DeleteDocument of a missing key = %v, %v; want false", deleted, err)
	}
}

// checkDocument compares got with what was written; revision is the
// write's number, expected only with CAPABILITY_REVISIONS.
func (s *suite) checkDocument(t *testing.T, got *personalv1.Document, key, content, contentType string, revision uint64, notBefore time.Time) {
	t.Helper()
	if err := s.documentMismatch(got, key, content, contentType, revision, notBefore); err != nil {
		t.Errorf("GetDocument(%q): %v", key, err)
	}
}

func (s *suite) documentMismatch(got *personalv1.Document, key, content, contentType string, revision uint64, notBefore time.Time) error {
	switch {
	case got == nil:
		return fmt.Errorf("no document")
	case got.Key != key || string(got.Content) != content || got.ContentType != contentType:
		return fmt.Errorf("got {%q, %q, %q}, want {%q, %q, %q}", got.Key, got.Content, got.ContentType, key, content, contentType)
	}
	if !s.has(personalv1.CapabilityRevisions) {
		if got.Revision != 0 || !got.UpdatedAt.IsZero() {
			return fmt.Errorf("revision %d, updated_at %v without %s; want 0 and unset", got.Revision, got.UpdatedAt, personalv1.CapabilityRevisions)
		}
		return nil
	}
	if got.Revision != revision {
		return fmt.Errorf("revision %d, want %d", got.Revision, revision)
	}
	if got.UpdatedAt.Before(notBefore) || got.UpdatedAt.After(time.Now().Add(time.Minute)) {
		return fmt.Errorf("updated_at %v, want about now", got.UpdatedAt)
	}
	return nil
}

// checkContentTypes: kept with CAPABILITY_REVISIONS, else refused.
func (s *suite) checkContentTypes(t *testing.T) {
	const key, textPlain = "conformance/typed", "text/plain; charset=utf-8"
	if s.has(personalv1.CapabilityRevisions) {
		mustPut(t, s.writer, &personalv1.PutDocumentRequest{Key: key, Content: []byte("hi"), ContentType: textPlain})
		if got := mustGet(t, s.c, key); got.ContentType != textPlain {
			t.Errorf("content type %q, want %q", got.ContentType, textPlain)
		}
		return
	}
	if s.readOnly {
		t.Skip("a read-only adapter writes nothing")
	}
	_, err := s.c.put(ctx(t), &personalv1.PutDocumentRequest{Key: key, Content: []byte("hi"), ContentType: textPlain})
	wantCode(t, "PutDocument with a content type, without "+string(personalv1.CapabilityRevisions), err, adapter.CodeFailedPrecondition)
	if _, err := s.c.get(ctx(t), key); err == nil {
		t.Errorf("the refused PutDocument stored %q anyway", key)
	}
}
