// Package reject holds the IC's reject codes and error codes, and the typed
// error every part of the replica uses to refuse or fail a message.
//
// The reject code (1..6) is what canisters and agents branch on; the error
// code (IC0xxx) names the precise cause; the message is for people.
package reject

import "fmt"

// Code is an IC reject code (interface spec, "Reject codes").
type Code uint8

// The reject codes of the interface spec.
const (
	SysFatal           Code = 1
	SysTransient       Code = 2
	DestinationInvalid Code = 3
	CanisterReject     Code = 4
	CanisterError      Code = 5
	SysUnknown         Code = 6
)

func (c Code) String() string {
	switch c {
	case SysFatal:
		return "SYS_FATAL"
	case SysTransient:
		return "SYS_TRANSIENT"
	case DestinationInvalid:
		return "DESTINATION_INVALID"
	case CanisterReject:
		return "CANISTER_REJECT"
	case CanisterError:
		return "CANISTER_ERROR"
	case SysUnknown:
		return "SYS_UNKNOWN"
	}
	return fmt.Sprintf("reject code %d", uint8(c))
}

// ErrorCode is an IC error code such as 503 (printed IC0503). Its leading
// digit is the reject code it belongs to.
type ErrorCode uint16

// The error codes the replica produces (dfinity/ic rs/types/error_types).
const (
	SubnetOversubscribed                ErrorCode = 101
	MaxNumberOfCanistersReached         ErrorCode = 102
	CanisterQueueFull                   ErrorCode = 201
	IngressMessageTimeout               ErrorCode = 202
	CanisterQueueNotEmpty               ErrorCode = 203
	IngressHistoryFull                  ErrorCode = 204
	CanisterIDAlreadyExists             ErrorCode = 205
	StopCanisterRequestTimeout          ErrorCode = 206
	CanisterOutOfCycles                 ErrorCode = 207
	CertifiedStateUnavailable           ErrorCode = 208
	CanisterNotFound                    ErrorCode = 301
	CanisterSnapshotNotFound            ErrorCode = 305
	InsufficientMemoryAllocation        ErrorCode = 402
	InsufficientCyclesForCreateCanister ErrorCode = 403
	SubnetNotFound                      ErrorCode = 404
	CanisterNotHostedBySubnet           ErrorCode = 405
	CanisterRejectedMessage             ErrorCode = 406
	UnknownManagementMessage            ErrorCode = 407
	InvalidManagementPayload            ErrorCode = 408
	CanisterSnapshotImmutable           ErrorCode = 409
	CanisterTrapped                     ErrorCode = 502
	CanisterCalledTrap                  ErrorCode = 503
	CanisterContractViolation           ErrorCode = 504
	CanisterInvalidWasm                 ErrorCode = 505
	CanisterDidNotReply                 ErrorCode = 506
	CanisterOutOfMemory                 ErrorCode = 507
	CanisterStopped                     ErrorCode = 508
	CanisterStopping                    ErrorCode = 509
	CanisterNotStopped                  ErrorCode = 510
	CanisterStoppingCancelled           ErrorCode = 511
	CanisterInvalidController           ErrorCode = 512
	CanisterFunctionNotFound            ErrorCode = 513
	CanisterNonEmpty                    ErrorCode = 514
	InsufficientCyclesInCall            ErrorCode = 520
	CanisterWasmEngineError             ErrorCode = 521
	CanisterInstructionLimitExceeded    ErrorCode = 522
	CanisterMemoryAccessLimitExceeded   ErrorCode = 524
	CanisterMethodNotFound              ErrorCode = 536
	CanisterWasmModuleNotFound          ErrorCode = 537
	CanisterAlreadyInstalled            ErrorCode = 538
	CanisterWasmMemoryLimitExceeded     ErrorCode = 539
	DeadlineExpired                     ErrorCode = 601
	ResponseDropped                     ErrorCode = 602
)

// String renders the code as the IC does: IC0503.
func (e ErrorCode) String() string { return fmt.Sprintf("IC%04d", uint16(e)) }

// RejectCode is the reject code this error code belongs to.
func (e ErrorCode) RejectCode() Code { return Code(e / 100) }

// Error is a reject: the answer to a message that did not get a reply.
type Error struct {
	Code      Code
	ErrorCode ErrorCode
	Message   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (%s, reject code %d): %s", e.ErrorCode, e.Code, e.Code, e.Message)
}

// New builds a reject whose reject code follows from the error code.
func New(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code.RejectCode(), ErrorCode: code, Message: fmt.Sprintf(format, args...)}
}

// FromCanister builds a reject whose message says which canister it came
// from, the way the IC words execution errors.
func FromCanister(canister string, code ErrorCode, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: code.RejectCode(), ErrorCode: code, Message: fmt.Sprintf("Error from Canister %s: %s", canister, msg)}
}

// Explicit is the reject a canister made itself with ic0.msg_reject. The
// message is the canister's own, passed on verbatim; the IC files such
// rejects of ingress messages under IC0406.
func Explicit(message string) *Error {
	return &Error{Code: CanisterReject, ErrorCode: CanisterRejectedMessage, Message: message}
}
