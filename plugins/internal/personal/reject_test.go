package personal

import (
	"errors"
	"fmt"
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
)

func TestRejectError(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		wantCode     adapter.Code
		wantMismatch bool
	}{
		{"method refuses a stranger", &adapter.ICError{RejectCode: 4, Message: "personal/2.0.0: caller x is not the owner of this canister"}, adapter.CodePermissionDenied, false},
		{"inspect refuses a stranger", fmt.Errorf("call: %w", &adapter.ICError{RejectCode: 5, ErrorCode: "IC0503",
			Message: "Canister called `ic0.trap` with message: 'canister_inspect_message explicitly refused message'"}), adapter.CodePermissionDenied, false},
		{"over a limit", &adapter.ICError{RejectCode: 4, Message: "personal/2.0.0: prefix is 300 bytes"}, adapter.CodeInvalidArgument, false},
		{"trap", &adapter.ICError{RejectCode: 5, Message: "out of cycles"}, adapter.CodeInternal, false},
		{"no such canister", &adapter.ICError{RejectCode: 3, Message: "not found"}, adapter.CodeNotFound, false},
		{"adapter error passes", adapter.Errorf(adapter.CodeAborted, "x"), adapter.CodeAborted, false},
		{"argument the canister cannot decode", &adapter.ICError{RejectCode: 5, ErrorCode: "IC0503",
			Message: "Canister trapped: IDL error: unexpected variant tag"}, adapter.CodeInternal, true},
		{"inspect does not know the method", &adapter.ICError{RejectCode: 5, ErrorCode: "IC0503",
			Message: "canister_inspect_message implicitly refused message"}, adapter.CodeInternal, true},
		{"method gone (IC0536)", &adapter.ICError{RejectCode: 5, ErrorCode: "IC0536", Message: "no such method"}, adapter.CodeUnimplemented, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae *adapter.Error
			if err := RejectError(tt.err); !errors.As(err, &ae) || ae.Code != tt.wantCode {
				t.Fatalf("RejectError = %#v, want code %d", err, tt.wantCode)
			}
			if got := ae.Mismatch != nil; got != tt.wantMismatch {
				t.Errorf("RejectError(%v).Mismatch = %+v, want set: %v", tt.err, ae.Mismatch, tt.wantMismatch)
			}
		})
	}
}
