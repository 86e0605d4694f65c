package adapter

import "testing"

func TestPageTokenRoundTrip(t *testing.T) {
	for _, cursor := range []string{"a", "list/07", "ünïcode/ key", "42"} {
		token := EncodePageToken(cursor)
		if token == cursor {
			t.Errorf("EncodePageToken(%q) is the cursor itself; want it opaque", cursor)
		}
		got, err := DecodePageToken(token)
		if err != nil || got != cursor {
			t.Errorf("DecodePageToken(EncodePageToken(%q)) = %q, %v", cursor, got, err)
		}
	}
	if EncodePageToken("") != "" {
		t.Error("the empty cursor must be the empty token (the last page)")
	}
}

func TestDecodePageTokenRefusesGarbage(t *testing.T) {
	_, err := DecodePageToken("%%% not a token")
	if e, ok := err.(*Error); !ok || e.Code != CodeInvalidArgument {
		t.Fatalf("DecodePageToken(garbage) = %v, want an InvalidArgument *Error", err)
	}
}
