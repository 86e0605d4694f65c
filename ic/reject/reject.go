// Package reject is the one table from the Internet Computer's reject codes
// to Connect (and gRPC) codes. The gateway and the adapter SDK both use it,
// so an IC refusal means the same to a client whichever side mapped it. It
// is a leaf: it imports only connect.
package reject

import "connectrpc.com/connect"

// The IC's reject codes (interface spec, "Reject codes").
const (
	SysFatal           uint32 = 1
	SysTransient       uint32 = 2
	DestinationInvalid uint32 = 3
	CanisterReject     uint32 = 4
	CanisterError      uint32 = 5
	SysUnknown         uint32 = 6
)

// The IC's error codes that decisions are made on (never on a message).
const (
	// ErrorCodeMethodNotFound: the canister does not export the method,
	// the sign that its interface changed (it was upgraded).
	ErrorCodeMethodNotFound = "IC0536"
)

// ConnectCode maps an IC reject code onto a Connect code:
// 1 SYS_FATAL → Internal, 2 SYS_TRANSIENT → Unavailable,
// 3 DESTINATION_INVALID → NotFound, 4 CANISTER_REJECT → FailedPrecondition,
// 5 CANISTER_ERROR → Internal, 6 SYS_UNKNOWN → Unknown (a bounded-wait call
// whose outcome is unknown). CANISTER_REJECT is the canister's own refusal,
// whose meaning only an adapter that knows the canister can refine (an owner
// check, a limit); FailedPrecondition is the fallback.
func ConnectCode(rejectCode uint32) connect.Code {
	switch rejectCode {
	case SysTransient:
		return connect.CodeUnavailable
	case DestinationInvalid:
		return connect.CodeNotFound
	case CanisterReject:
		return connect.CodeFailedPrecondition
	case SysUnknown:
		return connect.CodeUnknown
	default:
		return connect.CodeInternal
	}
}

// byErrorCode refines the reject-code table where the IC's error code says
// more than its reject code: what a client should do differs between a
// trap (internal), a canister out of cycles or over its instruction limit
// (resource_exhausted: top it up, ask for less), a stopped canister
// (unavailable: retry once it runs), a missing method (unimplemented), a
// call that is not the caller's to make (permission_denied) and a
// bounded-wait call past its deadline (deadline_exceeded: it may or may
// not have run).
var byErrorCode = map[string]connect.Code{
	"IC0207": connect.CodeResourceExhausted,  // CanisterOutOfCycles
	"IC0507": connect.CodeResourceExhausted,  // CanisterOutOfMemory
	"IC0522": connect.CodeResourceExhausted,  // CanisterInstructionLimitExceeded
	"IC0524": connect.CodeResourceExhausted,  // CanisterMemoryAccessLimitExceeded
	"IC0539": connect.CodeResourceExhausted,  // CanisterWasmMemoryLimitExceeded
	"IC0508": connect.CodeUnavailable,        // CanisterStopped
	"IC0509": connect.CodeUnavailable,        // CanisterStopping
	"IC0512": connect.CodePermissionDenied,   // CanisterInvalidController
	"IC0513": connect.CodeUnimplemented,      // CanisterFunctionNotFound
	"IC0536": connect.CodeUnimplemented,      // CanisterMethodNotFound
	"IC0537": connect.CodeFailedPrecondition, // CanisterWasmModuleNotFound
	"IC0601": connect.CodeDeadlineExceeded,   // DeadlineExpired
}

// CodeOf is the Connect code of a reject with both its codes: the error
// code's entry where it has one, else the reject code's.
func CodeOf(rejectCode uint32, errorCode string) connect.Code {
	if c, ok := byErrorCode[errorCode]; ok {
		return c
	}
	return ConnectCode(rejectCode)
}

// HTTPStatusCode maps the HTTP status with which the IC refused a request
// before it became a message (a boundary node or replica answering 4xx or
// 5xx) onto a Connect code: the request itself is at fault for a 4xx (413:
// larger than the IC accepts in one message — nothing to retry), the IC for
// a 5xx (retry).
func HTTPStatusCode(status int) connect.Code {
	switch {
	case status == 403:
		return connect.CodePermissionDenied
	case status == 429:
		return connect.CodeResourceExhausted
	case status >= 400 && status < 500:
		return connect.CodeInvalidArgument
	default:
		return connect.CodeUnavailable
	}
}
