package adapter

import (
	"context"
	"fmt"
)

// IC is an adapter's only way to the Internet Computer: calls to the
// routed canister, made by the gateway with the caller's identity.
type IC interface {
	// Query makes a query call with a Candid-encoded argument and returns
	// the Candid-encoded reply.
	Query(ctx context.Context, method string, arg []byte) ([]byte, error)
	// Call makes an update call and waits for its reply.
	Call(ctx context.Context, method string, arg []byte) ([]byte, error)
}

// Target is the canister a request was routed to.
type Target struct {
	// Canister is its textual principal.
	Canister string
	// Protocol is its negotiated protocol version, e.g. "personal/2.0.0".
	Protocol string
}

// Call is what an adapter method gets besides the request itself.
type Call struct {
	Target Target
	IC     IC
}

// ICError is the Internet Computer's refusal of a call, with its codes.
type ICError struct {
	// RejectCode is 1 SYS_FATAL ... 6 SYS_UNKNOWN.
	RejectCode uint32
	// ErrorCode is the IC's error code, e.g. "IC0503".
	ErrorCode string
	Message   string
}

func (e *ICError) Error() string {
	return fmt.Sprintf("IC reject %d (%s): %s", e.RejectCode, e.ErrorCode, e.Message)
}
