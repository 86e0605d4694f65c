package personal

import (
	"errors"
	"fmt"
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
)

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
