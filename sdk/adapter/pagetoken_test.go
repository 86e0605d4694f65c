package adapter

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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
	for name, token := range map[string]string{
		"not base64url":                  "%%% not a token",
		"padded":                         "YQ==",
		"valid base64url, no UTF-8":      "_w",
		"non-canonical trailing bits":    "A0",
		"a line break the decoder skips": "YQ\r",
		"too long":                       strings.Repeat("YWFh", MaxPageTokenLength),
	} {
		_, err := DecodePageToken(token)
		if e, ok := err.(*Error); !ok || e.Code != CodeInvalidArgument || len(e.Message) > 200 {
			t.Errorf("%s: DecodePageToken = %v, want a short InvalidArgument *Error", name, err)
		}
	}
}

// FuzzPageToken: decoding never panics, refuses with InvalidArgument or
// gives UTF-8 text that encodes back to the same token.
func FuzzPageToken(f *testing.F) {
	for _, seed := range []string{"", "a", "_w", "YQ", "YQ==", "bGlzdC8wNw", "%%%", strings.Repeat("A", 2000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		cursor, err := DecodePageToken(token)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Code != CodeInvalidArgument {
				t.Fatalf("DecodePageToken(%q) = %v, want InvalidArgument", token, err)
			}
			return
		}
		if !utf8.ValidString(cursor) {
			t.Fatalf("DecodePageToken(%q) = %q, not UTF-8", token, cursor)
		}
		if token != "" && EncodePageToken(cursor) != token {
			t.Fatalf("EncodePageToken(DecodePageToken(%q)) = %q", token, EncodePageToken(cursor))
		}
	})
}
