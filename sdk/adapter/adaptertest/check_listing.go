package adaptertest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// checkListing: prefix filtering, key order and paging over more than one
// page with the page token, and a malformed token refused.
func (s *suite) checkListing(t *testing.T) {
	var want []string
	for i := range 7 {
		key := fmt.Sprintf("list/%02d", 6-i) // written out of order
		want = append([]string{key}, want...)
		mustPut(t, s.writer, &personalv1.PutDocumentRequest{Key: key, Content: []byte("content of " + key)})
	}
	for _, key := range []string{"list", "lisu/0", "other/list/0"} { // near misses of the prefix
		mustPut(t, s.writer, &personalv1.PutDocumentRequest{Key: key, Content: []byte("x")})
	}

	var got []string
	var sizes []int
	token := ""
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatalf("ListDocuments still answers a next page token after %d pages", page)
		}
		p, err := s.c.list(ctx(t), &personalv1.ListDocumentsRequest{Prefix: "list/", PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatalf("ListDocuments page %d: %v", page+1, err)
		}
		sizes = append(sizes, len(p.Documents))
		for _, d := range p.Documents {
			got = append(got, d.Key)
			if string(d.Content) != "content of "+d.Key {
				t.Errorf("listed %q with content %q", d.Key, d.Content)
			}
		}
		if token = p.NextPageToken; token == "" {
			break
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ListDocuments(prefix list/) keys (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{3, 3, 1}, sizes); d != "" {
		t.Errorf("page sizes with page_size 3 (-want +got):\n%s", d)
	}

	p, err := s.c.list(ctx(t), &personalv1.ListDocumentsRequest{Prefix: "nothing/"})
	if err != nil || len(p.Documents) != 0 || p.NextPageToken != "" {
		t.Errorf("ListDocuments of an unused prefix = %+v, %v; want an empty last page", p, err)
	}
	all, err := s.c.list(ctx(t), &personalv1.ListDocumentsRequest{})
	if err != nil || len(all.Documents) < len(want)+3 {
		t.Errorf("ListDocuments of every key = %d documents, %v; want at least %d", len(all.Documents), err, len(want)+3)
	}
	_, err = s.c.list(ctx(t), &personalv1.ListDocumentsRequest{Prefix: "list/", PageToken: "%%% not a token %%%"})
	wantCode(t, "ListDocuments with a malformed page token", err, adapter.CodeInvalidArgument)
}
