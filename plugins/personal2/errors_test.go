package personal2

import (
	"errors"
	"fmt"
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

func TestRejectError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode adapter.Code
	}{
		{"method refuses a stranger", &adapter.ICError{RejectCode: 4, Message: "personal/2.0.0: caller x is not the owner of this canister"}, adapter.CodePermissionDenied},
		{"inspect refuses a stranger", fmt.Errorf("call: %w", &adapter.ICError{RejectCode: 5, ErrorCode: "IC0503",
			Message: "Canister called `ic0.trap` with message: 'canister_inspect_message explicitly refused message'"}), adapter.CodePermissionDenied},
		{"over a limit", &adapter.ICError{RejectCode: 4, Message: "personal/2.0.0: prefix is 300 bytes"}, adapter.CodeInvalidArgument},
		{"trap", &adapter.ICError{RejectCode: 5, Message: "out of cycles"}, adapter.CodeInternal},
		{"no such canister", &adapter.ICError{RejectCode: 3, Message: "not found"}, adapter.CodeNotFound},
		{"adapter error passes", adapter.Errorf(adapter.CodeAborted, "x"), adapter.CodeAborted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae *adapter.Error
			if err := RejectError(tt.err); !errors.As(err, &ae) || ae.Code != tt.wantCode {
				t.Errorf("RejectError = %#v, want code %d", err, tt.wantCode)
			}
		})
	}
}
