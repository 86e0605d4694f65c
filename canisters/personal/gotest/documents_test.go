package gotest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// docs wraps the document methods that 2.0.0 and 3.0.0 share.
type docs struct {
	t  testing.TB
	a  *agent.Agent
	id principal.Principal
}

func (d docs) put(key string, content []byte, contentType string, ifRevision *idl.Nat) PutResult {
	d.t.Helper()
	return mustCall[PutResult](d.t, d.a, d.id, "put_document", key, content, contentType, ifRevision)
}

func (d docs) mustPut(key, content string) Document {
	d.t.Helper()
	r := d.put(key, []byte(content), "text/plain", noNat)
	if r.Ok == nil {
		d.t.Fatalf("put_document(%q) = %s", key, describeWriteErr(r.Err))
	}
	return *r.Ok
}

func (d docs) get(key string) *Document {
	d.t.Helper()
	return mustQuery[*Document](d.t, d.a, d.id, "get_document", key)
}

func (d docs) list(prefix string, pageSize uint64, cursor *string) DocumentPage {
	d.t.Helper()
	return mustQuery[DocumentPage](d.t, d.a, d.id, "list_documents", prefix, nat(pageSize), cursor)
}

func (d docs) delete(key string, ifRevision *idl.Nat) UnitResult {
	d.t.Helper()
	return mustCall[UnitResult](d.t, d.a, d.id, "delete_document", key, ifRevision)
}

// listAll follows next_cursor to the end.
func (d docs) listAll(prefix string, pageSize uint64) []Document {
	d.t.Helper()
	var all []Document
	var cursor *string
	for range 1000 {
		page := d.list(prefix, pageSize, cursor)
		all = append(all, page.Documents...)
		if page.NextCursor == nil {
			return all
		}
		cursor = page.NextCursor
	}
	d.t.Fatalf("list_documents(%q) did not end", prefix)
	return nil
}

func keysOf(documents []Document) []string {
	keys := make([]string, len(documents))
	for i, doc := range documents {
		keys[i] = doc.Key
	}
	return keys
}

func describeWriteErr(e *WriteError) string {
	switch {
	case e == nil:
		return "no error"
	case e.Conflict != nil:
		if e.Conflict.Current == nil {
			return "conflict{current=null}"
		}
		return fmt.Sprintf("conflict{current=%s}", e.Conflict.Current.BigInt())
	case e.Invalid != nil:
		return "invalid " + *e.Invalid
	case e.NotFound != nil:
		return "not_found"
	case e.Unauthorized != nil:
		return "unauthorized"
	}
	return "empty variant"
}

// describePut is a PutResult as text: "ok rev N" or the error.
func describePut(r PutResult) string {
	if r.Ok != nil {
		return fmt.Sprintf("ok rev %s", r.Ok.Revision.BigInt())
	}
	return describeWriteErr(r.Err)
}

func describeUnit(r UnitResult) string {
	if r.Ok != nil {
		return "ok"
	}
	return describeWriteErr(r.Err)
}

// documentVersions are the versions with the 2.0.0 document API.
var documentVersions = []string{v2, v3}

// TestDocumentsConditionalWrites covers put_document, get_document and
// delete_document with every if_revision case, in 2.0.0 and 3.0.0.
func TestDocumentsConditionalWrites(t *testing.T) {
	t.Parallel()
	for _, version := range documentVersions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			d := docs{t, e.owner, e.install(version)}
			if got := protocolOf(t, d.a, d.id); got != "personal/"+version {
				t.Fatalf("protocol = %q", got)
			}

			before := nowNanos()
			first := d.put("notes/a", []byte{1, 2, 0}, "application/x-thing", noNat)
			after := nowNanos()
			if first.Ok == nil {
				t.Fatalf("first put = %s", describePut(first))
			}
			doc := *first.Ok
			if doc.Key != "notes/a" || !bytes.Equal(doc.Content, []byte{1, 2, 0}) || doc.ContentType != "application/x-thing" || u64(doc.Revision) != 1 {
				t.Fatalf("first put returned %+v", doc)
			}
			if at := doc.UpdatedAt.BigInt().Int64(); at < before-5e9 || at > after+5e9 {
				t.Fatalf("updated_at %d is not the write time (between %d and %d)", at, before, after)
			}
			if got := d.get("notes/a"); got == nil || got.Revision.BigInt().Cmp(doc.Revision.BigInt()) != 0 || !bytes.Equal(got.Content, doc.Content) || got.UpdatedAt.BigInt().Cmp(doc.UpdatedAt.BigInt()) != 0 {
				t.Fatalf("get_document = %+v, want %+v", got, doc)
			}
			if got := d.get("notes/missing"); got != nil {
				t.Fatalf("get_document of a missing key = %+v, want null", got)
			}

			steps := []struct {
				name  string
				key   string
				ifRev *idl.Nat
				want  string
			}{
				{"create-only on an existing key", "notes/a", optNat(0), "conflict{current=1}"},
				{"replace the wrong revision", "notes/a", optNat(7), "conflict{current=1}"},
				{"replace revision 1", "notes/a", optNat(1), "ok rev 2"},
				{"replace revision 1 again (stale)", "notes/a", optNat(1), "conflict{current=2}"},
				{"unconditional write", "notes/a", noNat, "ok rev 3"},
				{"replace a missing key", "notes/b", optNat(1), "conflict{current=null}"},
				{"create-only on a missing key", "notes/b", optNat(0), "ok rev 1"},
			}
			for _, s := range steps {
				if got := describePut(d.put(s.key, []byte(s.name), "text/plain", s.ifRev)); got != s.want {
					t.Fatalf("%s: put_document = %s, want %s", s.name, got, s.want)
				}
			}
			if got := d.get("notes/a"); got == nil || string(got.Content) != "unconditional write" || u64(got.Revision) != 3 {
				t.Fatalf("after the writes get_document = %+v", got)
			}

			deletes := []struct {
				name  string
				key   string
				ifRev *idl.Nat
				want  string
			}{
				{"missing key", "notes/zzz", noNat, "not_found"},
				{"missing key, create-only revision", "notes/zzz", optNat(0), "not_found"},
				{"wrong revision", "notes/a", optNat(2), "conflict{current=3}"},
				{"revision 0 of an existing key", "notes/a", optNat(0), "conflict{current=3}"},
				{"right revision", "notes/a", optNat(3), "ok"},
				{"again", "notes/a", optNat(3), "not_found"},
				{"unconditional", "notes/b", noNat, "ok"},
			}
			for _, s := range deletes {
				if got := describeUnit(d.delete(s.key, s.ifRev)); got != s.want {
					t.Fatalf("delete_document %s = %s, want %s", s.name, got, s.want)
				}
			}
			if got := d.listAll("", 100); len(got) != 0 {
				t.Fatalf("after deleting everything list_documents = %q", keysOf(got))
			}
			// A new document after a delete starts again at revision 1.
			if got := describePut(d.put("notes/a", []byte("again"), "text/plain", optNat(0))); got != "ok rev 1" {
				t.Fatalf("recreate after delete = %s, want ok rev 1", got)
			}
		})
	}
}

// TestDocumentsListing covers list_documents: prefix, cursor paging, the page
// size cap of 100, page_size 0 and the 1.5 MiB page budget.
func TestDocumentsListing(t *testing.T) {
	t.Parallel()
	for _, version := range documentVersions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			d := docs{t, e.owner, e.install(version)}
			var keys []string
			for i := range 105 {
				keys = append(keys, fmt.Sprintf("bulk/%03d", i))
			}
			putConcurrently(t, d, keys)
			for _, k := range []string{"notes/1", "notes/2", "notes/3", "notes0", "note", "other"} {
				d.mustPut(k, k)
			}

			page := d.list("notes/", 2, nil)
			if got := keysOf(page.Documents); !slices.Equal(got, []string{"notes/1", "notes/2"}) || page.NextCursor == nil || *page.NextCursor != "notes/2" {
				t.Fatalf("first page = %q next %v", got, page.NextCursor)
			}
			page = d.list("notes/", 2, page.NextCursor)
			if got := keysOf(page.Documents); !slices.Equal(got, []string{"notes/3"}) || page.NextCursor != nil {
				t.Fatalf("last page = %q next %v; want [notes/3] and null", got, page.NextCursor)
			}
			if got := keysOf(d.list("notes/", 10, nil).Documents); !slices.Equal(got, []string{"notes/1", "notes/2", "notes/3"}) {
				t.Fatalf("prefix notes/ = %q", got)
			}
			if got := keysOf(d.list("nothing/", 10, nil).Documents); len(got) != 0 {
				t.Fatalf("prefix without documents = %q", got)
			}
			capped := d.list("bulk/", 1000, nil)
			if len(capped.Documents) != 100 || capped.NextCursor == nil || *capped.NextCursor != "bulk/099" {
				t.Fatalf("page_size 1000 gave %d documents, next %v; want the cap of 100 and bulk/099", len(capped.Documents), capped.NextCursor)
			}
			if all := keysOf(d.listAll("", 7)); len(all) != 111 || !slices.IsSorted(all) {
				t.Fatalf("all documents in pages of 7: %d keys, sorted %v; want 111 ascending", len(all), slices.IsSorted(all))
			}
			_, err := query[DocumentPage](d.a, d.id, "list_documents", "", nat(0), (*string)(nil))
			wantErr(t, "list_documents with page_size 0", err, "personal/"+version+": page_size must be at least 1")
			_, err = query[DocumentPage](d.a, d.id, "list_documents", strings.Repeat("p", 257), nat(1), (*string)(nil))
			wantErr(t, "list_documents with a 257-byte prefix", err, "prefix is 257 bytes; the limit is 256")

			// Two 1 MiB documents do not fit one reply: the 1.5 MiB budget splits them.
			big := make([]byte, 1<<20)
			for _, k := range []string{"big/1", "big/2"} {
				if r := d.put(k, big, "application/octet-stream", noNat); r.Ok == nil {
					t.Fatalf("put 1 MiB %s: %s", k, describePut(r))
				}
			}
			page = d.list("big/", 10, nil)
			if got := keysOf(page.Documents); !slices.Equal(got, []string{"big/1"}) || page.NextCursor == nil {
				t.Fatalf("page of 1 MiB documents = %q next %v; want [big/1] and a cursor", got, page.NextCursor)
			}
			page = d.list("big/", 10, page.NextCursor)
			if got := keysOf(page.Documents); !slices.Equal(got, []string{"big/2"}) || page.NextCursor != nil || len(page.Documents[0].Content) != 1<<20 {
				t.Fatalf("second page of 1 MiB documents = %q next %v", got, page.NextCursor)
			}
		})
	}
}

// putConcurrently writes each key (content = key) with several calls in flight.
func putConcurrently(t *testing.T, d docs, keys []string) {
	t.Helper()
	inParallel(t, len(keys), func(i int) error {
		r, err := call[PutResult](d.a, d.id, "put_document", keys[i], []byte(keys[i]), "text/plain", noNat)
		if err == nil && r.Ok == nil {
			err = fmt.Errorf("%s", describePut(r))
		}
		if err != nil {
			return fmt.Errorf("put_document(%q): %w", keys[i], err)
		}
		return nil
	})
}

// TestDocumentsLimits: every documented limit answers #invalid with the
// reason, and nothing is stored.
func TestDocumentsLimits(t *testing.T) {
	t.Parallel()
	for _, version := range documentVersions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			d := docs{t, e.owner, e.install(version)}
			tests := []struct {
				name        string
				key         string
				content     []byte
				contentType string
				want        string // describePut
			}{
				{"key of 256 bytes", strings.Repeat("k", 256), []byte("x"), "text/plain", "ok rev 1"},
				{"key of 257 bytes", strings.Repeat("k", 257), []byte("x"), "text/plain", "invalid key is 257 bytes; the limit is 256"},
				{"key of 86 three-byte characters", strings.Repeat("€", 86), []byte("x"), "text/plain", "invalid key is 258 bytes; the limit is 256"},
				{"empty key", "", []byte("x"), "text/plain", "invalid key must not be empty"},
				{"content of 1 MiB", "max", make([]byte, 1<<20), "application/octet-stream", "ok rev 1"},
				{"content of 1 MiB + 1", "over", make([]byte, 1<<20+1), "application/octet-stream", "invalid content is 1048577 bytes; the limit is 1048576"},
				{"content_type with parameters", "ct/params", []byte("x"), "text/plain; charset=utf-8", "ok rev 1"},
				{"empty content_type", "ct/empty", []byte("x"), "", "invalid content_type must not be empty"},
				{"content_type without a slash", "ct/noslash", []byte("x"), "plain", `invalid content_type must be a media type such as "text/plain"`},
				{"content_type not ASCII", "ct/utf8", []byte("x"), "text/plaín", "invalid content_type must be printable ASCII"},
				{"content_type with a newline", "ct/newline", []byte("x"), "text/plain\n", "invalid content_type must be printable ASCII"},
				{"content_type of 255 bytes", "ct/255", []byte("x"), "a/" + strings.Repeat("b", 253), "ok rev 1"},
				{"content_type of 256 bytes", "ct/256", []byte("x"), "a/" + strings.Repeat("b", 254), "invalid content_type is 256 bytes; the limit is 255"},
			}
			for _, tt := range tests {
				got := describePut(d.put(tt.key, tt.content, tt.contentType, noNat))
				if got != tt.want {
					t.Errorf("%s: put_document = %s, want %s", tt.name, got, tt.want)
				}
				stored := tt.key != "" && d.get(tt.key) != nil
				if wantStored := strings.HasPrefix(tt.want, "ok"); stored != wantStored {
					t.Errorf("%s: stored = %v, want %v", tt.name, stored, wantStored)
				}
			}
			if got := describeUnit(d.delete(strings.Repeat("k", 257), noNat)); got != "invalid key is 257 bytes; the limit is 256" {
				t.Errorf("delete_document with a 257-byte key = %s", got)
			}
			if got := describeUnit(d.delete("", noNat)); got != "invalid key must not be empty" {
				t.Errorf("delete_document with an empty key = %s", got)
			}
		})
	}
}

// TestDocumentsStrangers: inspect refuses a stranger's ingress updates; a
// stranger's queries reject; a canister that is not the owner reaches the
// update methods and gets the typed #unauthorized; nothing changes.
func TestDocumentsStrangers(t *testing.T) {
	t.Parallel()
	for _, version := range documentVersions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			d := docs{t, e.owner, e.install(version)}
			d.mustPut("secret", "s")
			s := e.stranger

			_, err := call[PutResult](s, d.id, "put_document", "secret", []byte("x"), "text/plain", noNat)
			wantErr(t, "stranger put_document", err, inspectRefused)
			_, err = call[UnitResult](s, d.id, "delete_document", "secret", noNat)
			wantErr(t, "stranger delete_document", err, inspectRefused)
			_, err = query[*Document](s, d.id, "get_document", "secret")
			wantErr(t, "stranger get_document", err, "personal/"+version+": caller "+s.Sender().String()+" "+notOwner)
			_, err = query[DocumentPage](s, d.id, "list_documents", "", nat(10), (*string)(nil))
			wantErr(t, "stranger list_documents", err, notOwner)
			if got := protocolOf(t, s, d.id); got != "personal/"+version {
				t.Fatalf("stranger protocol = %q", got)
			}

			relay := e.installRelay()
			put, err := relayed[PutResult](s, relay, d.id, "put_document", "secret", []byte("x"), "text/plain", noNat)
			if err != nil || describePut(put) != "unauthorized" {
				t.Fatalf("put_document from a canister = %s, %v; want unauthorized", describePut(put), err)
			}
			del, err := relayed[UnitResult](s, relay, d.id, "delete_document", "secret", noNat)
			if err != nil || describeUnit(del) != "unauthorized" {
				t.Fatalf("delete_document from a canister = %s, %v; want unauthorized", describeUnit(del), err)
			}
			_, err = relayed[*Document](s, relay, d.id, "get_document", "secret")
			wantErr(t, "get_document from a canister", err, "caller "+relay.String()+" "+notOwner)

			if got := d.get("secret"); got == nil || string(got.Content) != "s" || u64(got.Revision) != 1 {
				t.Fatalf("after strangers' attempts get_document = %+v", got)
			}
		})
	}
}
