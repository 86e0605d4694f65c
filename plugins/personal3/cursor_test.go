package personal3

import (
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
)

func TestInboxCursor(t *testing.T) {
	if c, err := inboxCursor(""); c != nil || err != nil {
		t.Errorf("inboxCursor(\"\") = %v, %v; want the first page", c, err)
	}
	c, err := inboxCursor(adapter.EncodePageToken("42"))
	if err != nil || c == nil || c.BigInt().Uint64() != 42 {
		t.Errorf("inboxCursor(token of 42) = %v, %v", c, err)
	}
	for _, bad := range []string{"%%%", adapter.EncodePageToken("forty-two")} {
		if _, err := inboxCursor(bad); err == nil {
			t.Errorf("inboxCursor(%q) accepted a malformed token", bad)
		}
	}
}
