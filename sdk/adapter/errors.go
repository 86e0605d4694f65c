package adapter

import (
	"errors"
	"fmt"

	"github.com/canistry/canistry/ic/reject"
)

// Code classifies an adapter error. The values are those of gRPC and
// Connect, which the gateway passes on to clients.
type Code uint32

// The codes an adapter may return.
const (
	CodeUnknown            Code = 2
	CodeInvalidArgument    Code = 3
	CodeNotFound           Code = 5
	CodeAlreadyExists      Code = 6
	CodePermissionDenied   Code = 7
	CodeResourceExhausted  Code = 8
	CodeFailedPrecondition Code = 9
	CodeAborted            Code = 10
	CodeUnimplemented      Code = 12
	CodeInternal           Code = 13
	CodeUnavailable        Code = 14
)

// Error is an adapter's answer that is not a response. IC, when set,
// carries the IC's reject that caused it; Mismatch, when set, says the
// canister did not speak the interface the adapter expected.
type Error struct {
	Code     Code
	Message  string
	IC       *ICError
	Mismatch *Mismatch
}

func (e *Error) Error() string { return e.Message }

// Mismatch tells the gateway that the canister does not speak the
// interface the adapter expected of its negotiated version (a method is
// gone, the canister could not decode the argument, the reply did not
// decode): it was most likely upgraded, and the gateway re-negotiates.
// This typed signal is the gateway's only cue; it never reads messages.
type Mismatch struct {
	Method string
	Reason string
}

// Errorf makes an Error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FromIC maps a reject of the Internet Computer onto an Error with the one
// table of the IC's codes (package ic/reject): SYS_FATAL → Internal,
// SYS_TRANSIENT → Unavailable, DESTINATION_INVALID → NotFound,
// CANISTER_ERROR → Internal, SYS_UNKNOWN → Unknown, refined by the error
// code where it says more (out of cycles → ResourceExhausted, a stopped
// canister → Unavailable, ...). CANISTER_REJECT is the
// canister's own refusal, whose meaning only the adapter knows: the table
// makes it FailedPrecondition, and adapters that know better (an owner
// check, a limit) map it themselves before calling FromIC. A call to a
// method the canister does not export (IC0536) is also a Mismatch.
func FromIC(err error) error {
	var ic *ICError
	if !errors.As(err, &ic) {
		return err
	}
	out := &Error{Code: Code(reject.CodeOf(ic.RejectCode, ic.ErrorCode)), Message: ic.Message, IC: ic}
	if ic.ErrorCode == reject.ErrorCodeMethodNotFound {
		out.Mismatch = &Mismatch{Reason: "the canister does not export the method (" + ic.ErrorCode + ")"}
	}
	return out
}
