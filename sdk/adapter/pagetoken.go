package adapter

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	"github.com/canistry/canistry/internal/textcut"
)

// MaxPageTokenLength bounds a page token: a cursor is a key or an id, and
// no protocol version has keys near this long, so a longer token is not
// one of ours and is refused before any canister call.
const MaxPageTokenLength = 1024

// EncodePageToken makes a page token of an adapter's cursor (a key, an id):
// clients see an opaque string, so an adapter may change what its cursor is
// without clients depending on it.
func EncodePageToken(cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursor))
}

// DecodePageToken reverses EncodePageToken. A token that is not one — too
// long, not canonical unpadded base64url, or not decoding to UTF-8 text (a cursor is
// text; a canister given other bytes as text would trap) — is an *Error
// with CodeInvalidArgument.
func DecodePageToken(token string) (string, error) {
	if len(token) > MaxPageTokenLength {
		return "", Errorf(CodeInvalidArgument, "malformed page token: %d characters, at most %d", len(token), MaxPageTokenLength)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return "", Errorf(CodeInvalidArgument, "malformed page token %s: not one this API gave out", quoteShort(token))
	}
	// Only the exact token EncodePageToken makes is one: the decoder
	// skips line breaks and ignores trailing bits, which would let many
	// strings stand for one cursor.
	if !utf8.Valid(b) || EncodePageToken(string(b)) != token {
		return "", Errorf(CodeInvalidArgument, "malformed page token %s: not one this API gave out", quoteShort(token))
	}
	return string(b), nil
}

// quoteShort quotes s for an error message, cut to a length a person reads.
func quoteShort(s string) string { return strconv.Quote(textcut.Cut(s, 64)) }
