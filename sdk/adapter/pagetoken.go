package adapter

import "encoding/base64"

// EncodePageToken makes a page token of an adapter's cursor (a key, an id):
// clients see an opaque string, so an adapter may change what its cursor is
// without clients depending on it.
func EncodePageToken(cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursor))
}

// DecodePageToken reverses EncodePageToken; a token that is not one is an
// *Error with CodeInvalidArgument.
func DecodePageToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", Errorf(CodeInvalidArgument, "malformed page token %q", token)
	}
	return string(b), nil
}
