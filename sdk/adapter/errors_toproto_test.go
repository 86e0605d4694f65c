package adapter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

func TestErrorToStatus(t *testing.T) {
	reject := &ICError{RejectCode: 4, ErrorCode: "IC0503", Message: "canister rejected"}
	tests := []struct {
		name       string
		err        error
		wantCode   codes.Code
		wantMsg    string
		wantReject *adapterv1.IcReject
	}{
		{"adapter error", Errorf(CodeNotFound, "no document %q", "k"), codes.NotFound, `no document "k"`, nil},
		{"wrapped adapter error", fmt.Errorf("ctx: %w", Errorf(CodeAborted, "conflict")), codes.Aborted, "conflict", nil},
		{"adapter error with IC", &Error{Code: CodePermissionDenied, Message: "not yours", IC: reject},
			codes.PermissionDenied, "not yours", &adapterv1.IcReject{RejectCode: 4, ErrorCode: "IC0503", Message: "canister rejected"}},
		{"bare IC reject", fmt.Errorf("call: %w", &ICError{RejectCode: 3, ErrorCode: "IC0301", Message: "no canister"}),
			codes.NotFound, "no canister", &adapterv1.IcReject{RejectCode: 3, ErrorCode: "IC0301", Message: "no canister"}},
		{"transient IC reject", &ICError{RejectCode: 2, Message: "busy"}, codes.Unavailable, "busy",
			&adapterv1.IcReject{RejectCode: 2, Message: "busy"}},
		{"plain error", errors.New("boom"), codes.Internal, "boom", nil},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), codes.DeadlineExceeded, "query: context deadline exceeded", nil},
		{"status passes through", status.Error(codes.InvalidArgument, "bad"), codes.InvalidArgument, "bad", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := status.FromError(ErrorToStatus(tt.err))
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Errorf("status %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
			var got *adapterv1.IcReject
			for _, d := range st.Details() {
				got, _ = d.(*adapterv1.IcReject)
			}
			if diff := cmp.Diff(tt.wantReject.String(), got.String()); diff != "" {
				t.Errorf("IcReject detail (-want +got):\n%s", diff)
			}
		})
	}
	if ErrorToStatus(nil) != nil {
		t.Error("ErrorToStatus(nil) != nil")
	}
}

func TestMismatchIsADetail(t *testing.T) {
	for name, err := range map[string]error{
		"adapter's own":  &Error{Code: CodeInternal, Message: "reply did not decode", Mismatch: &Mismatch{Method: "get", Reason: "r"}},
		"method missing": &ICError{RejectCode: 5, ErrorCode: "IC0536", Message: "no method get"},
	} {
		st, _ := status.FromError(ErrorToStatus(err))
		var got *adapterv1.InterfaceMismatch
		for _, d := range st.Details() {
			if m, ok := d.(*adapterv1.InterfaceMismatch); ok {
				got = m
			}
		}
		if got == nil {
			t.Errorf("%s: status %v carries no InterfaceMismatch detail", name, st)
		}
	}
	st, _ := status.FromError(ErrorToStatus(&ICError{RejectCode: 5, ErrorCode: "IC0503", Message: "trapped"}))
	for _, d := range st.Details() {
		if _, ok := d.(*adapterv1.InterfaceMismatch); ok {
			t.Errorf("a plain trap carries an InterfaceMismatch detail")
		}
	}
}

func TestICErrorFromStatus(t *testing.T) {
	st, err := status.New(codes.Unknown, "x").WithDetails(&adapterv1.IcReject{RejectCode: 5, ErrorCode: "IC0502", Message: "trapped"})
	if err != nil {
		t.Fatal(err)
	}
	var ic *ICError
	if got := icErrorFromStatus(st.Err(), "query", "get"); !errors.As(got, &ic) ||
		*ic != (ICError{RejectCode: 5, ErrorCode: "IC0502", Message: "trapped"}) {
		t.Errorf("with an IcReject detail: %#v, want the *ICError", got)
	}
	var ae *Error
	got := icErrorFromStatus(status.Error(codes.PermissionDenied, "unknown token"), "call", "put")
	if !errors.As(got, &ae) || ae.Code != CodePermissionDenied || ae.IC != nil {
		t.Errorf("without a detail: %#v, want a PermissionDenied *Error", got)
	}
}

func TestLongMessagesAreCut(t *testing.T) {
	long := strings.Repeat("9", 210_000) // a canister quoting a 100 KB number back
	st, _ := status.FromError(ErrorToStatus(&ICError{RejectCode: 5, ErrorCode: "IC0503", Message: long}))
	if len(st.Message()) > 1100 {
		t.Errorf("status message of %d bytes", len(st.Message()))
	}
	for _, d := range st.Details() {
		if r, ok := d.(*adapterv1.IcReject); ok && len(r.GetMessage()) > 1100 {
			t.Errorf("IcReject detail message of %d bytes", len(r.GetMessage()))
		}
	}
}
