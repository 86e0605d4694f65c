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
// SYS_UNKNOWN → Unknown (a bounded-wait call whose outcome is unknown).
// CANISTER_REJECT is the canister's own refusal, whose meaning only the
// adapter knows: FromIC makes it FailedPrecondition, and adapters that know
// better (an owner check, a limit) map it themselves before calling FromIC.
func FromIC(err error) error {
	var ic *ICError
	if !errors.As(err, &ic) {
		return err
	}
	code := CodeInternal
	switch ic.RejectCode {
	case 2:
		code = CodeUnavailable
	case 6:
		code = CodeUnknown
	case 3:
		code = CodeNotFound
	case 4:
		code = CodeFailedPrecondition
	}
	return &Error{Code: code, Message: ic.Message, IC: ic}
}
