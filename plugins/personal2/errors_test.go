package personal2

import (
	"errors"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/sdk/adapter"
)

func TestWriteErrorCodes(t *testing.T) {
	seven := idl.NewNat(uint64(7))
	invalid := "key is 257 bytes; the limit is 256"
	tests := []struct {
		name     string
		err      *writeError
		wantCode adapter.Code
		wantMsg  string
	}{
		{"conflict with current", &writeError{Conflict: &conflict{Current: &seven}}, adapter.CodeAborted, "current revision is 7"},
		{"conflict absent", &writeError{Conflict: &conflict{}}, adapter.CodeAborted, "does not exist"},
		{"not found", &writeError{NotFound: &idl.Null{}}, adapter.CodeNotFound, `no document "k"`},
		{"invalid", &writeError{Invalid: &invalid}, adapter.CodeInvalidArgument, invalid},
		{"unauthorized", &writeError{Unauthorized: &idl.Null{}}, adapter.CodePermissionDenied, "not the owner"},
		{"missing", nil, adapter.CodeInternal, "without a WriteError"},
		{"empty variant", &writeError{}, adapter.CodeInternal, "unknown WriteError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae *adapter.Error
			if err := tt.err.toAdapter("k"); !errors.As(err, &ae) || ae.Code != tt.wantCode || !strings.Contains(ae.Message, tt.wantMsg) {
				t.Errorf("toAdapter = %v, want code %d with %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}
