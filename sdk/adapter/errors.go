package adapter

import (
	"errors"
	"fmt"
)

// Code classifies an adapter error. The values are those of gRPC and
// Connect, which the gateway passes on to clients.
type Code uint32

// The codes an adapter may return.
const (
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

// Error is an adapter's answer that is not a response. Detail, when set,
// carries the IC's reject that caused it.
type Error struct {
	Code    Code
	Message string
	IC      *ICError
}

func (e *Error) Error() string { return e.Message }

// Errorf makes an Error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FromIC maps a reject of the Internet Computer onto an Error, following
// the one table of the architecture: SYS_FATAL → Internal, SYS_TRANSIENT →
// Unavailable, DESTINATION_INVALID → NotFound, CANISTER_ERROR → Internal,
// SYS_UNKNOWN → Unavailable (a bounded-wait call's outcome is unknown; the
// client may retry what is safe to retry). CANISTER_REJECT is the
// canister's own refusal and becomes PermissionDenied when it says so,
// else FailedPrecondition; adapters that know better decide themselves.
func FromIC(err error) error {
	var ic *ICError
	if !errors.As(err, &ic) {
		return err
	}
	code := CodeInternal
	switch ic.RejectCode {
	case 2, 6:
		code = CodeUnavailable
	case 3:
		code = CodeNotFound
	case 4:
		code = CodeFailedPrecondition
	}
	return &Error{Code: code, Message: ic.Message, IC: ic}
}
