package reject

import (
	"testing"

	"connectrpc.com/connect"
)

func TestConnectCode(t *testing.T) {
	for rc, want := range map[uint32]connect.Code{
		0:                  connect.CodeInternal,
		SysFatal:           connect.CodeInternal,
		SysTransient:       connect.CodeUnavailable,
		DestinationInvalid: connect.CodeNotFound,
		CanisterReject:     connect.CodeFailedPrecondition,
		CanisterError:      connect.CodeInternal,
		SysUnknown:         connect.CodeUnknown,
		7:                  connect.CodeInternal,
	} {
		if got := ConnectCode(rc); got != want {
			t.Errorf("ConnectCode(%d) = %v, want %v", rc, got, want)
		}
	}
}

func TestHTTPStatusCode(t *testing.T) {
	for status, want := range map[int]connect.Code{
		400: connect.CodeInvalidArgument, 403: connect.CodePermissionDenied, 413: connect.CodeInvalidArgument,
		429: connect.CodeResourceExhausted, 500: connect.CodeUnavailable, 503: connect.CodeUnavailable,
	} {
		if got := HTTPStatusCode(status); got != want {
			t.Errorf("HTTPStatusCode(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestCodeOf(t *testing.T) {
	for _, tt := range []struct {
		reject uint32
		code   string
		want   connect.Code
	}{
		{CanisterError, "IC0503", connect.CodeInternal},
		{SysTransient, "IC0207", connect.CodeResourceExhausted},
		{CanisterError, "IC0508", connect.CodeUnavailable},
		{CanisterError, "IC0522", connect.CodeResourceExhausted},
		{CanisterError, "IC0536", connect.CodeUnimplemented},
		{SysUnknown, "IC0601", connect.CodeDeadlineExceeded},
		{SysUnknown, "", connect.CodeUnknown},
		{DestinationInvalid, "IC0301", connect.CodeNotFound},
	} {
		if got := CodeOf(tt.reject, tt.code); got != tt.want {
			t.Errorf("CodeOf(%d, %s) = %v, want %v", tt.reject, tt.code, got, tt.want)
		}
	}
}
