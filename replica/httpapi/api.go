// Package httpapi serves the Internet Computer's HTTP interface: it decodes
// CBOR envelopes, computes request ids, authenticates senders (signatures,
// delegation chains, ingress expiry) and hands the resulting requests to a
// Backend. It speaks the endpoints that agent-go v0.9.2 and @dfinity/agent
// 3.x use: /api/v2/status, v2/v3/v4 call, v2/v3 query and v2/v3 canister and
// subnet read_state.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/textcut"
)

// Request is an ingress request that passed decoding and authentication.
type Request struct {
	Type                string               // "call", "query", "read_state"
	ID                  [32]byte             // request id = representation-independent hash of content
	Sender              principal.Principal  //
	CanisterID          principal.Principal  // content canister_id (call/query); empty = aaaaa-aa
	EffectiveCanisterID principal.Principal  // from the URL of /api/vN/canister/<ecid>/...
	SubnetID            *principal.Principal // set for /api/vN/subnet/<sid>/read_state
	Method              string
	Arg                 []byte
	Nonce               []byte
	IngressExpiry       uint64     // ns
	Paths               [][][]byte // read_state
	// Targets is the intersection of the targets of the sender's delegation
	// chain; nil means unrestricted. Calls and queries were already checked
	// against it; read_state backends must apply it to the canister ids
	// their paths name (request_status of a foreign canister → 403).
	Targets []principal.Principal
}

// Backend is what the replica implements.
type Backend interface {
	// RootKey is the DER root key served by /api/v2/status.
	RootKey() []byte
	// Now is the replica time that ingress_expiry and delegations are
	// checked against and that query signatures carry.
	Now() time.Time
	// Submit hands over an update call. *reject.Error = pre-processing
	// refusal (canister missing, stopped, inspect_message refused,
	// non-controller to management canister...): answered as
	// non_replicated_rejection (v3/v4) or the v2 reject body. *Error =
	// HTTP-level refusal. Submitting a request id again must be harmless.
	Submit(ctx context.Context, r *Request) error
	// Await waits until the call is done or ctx ends and returns the CBOR
	// certificate covering /request_status/<id>; ErrNotDone when ctx ended
	// first (→ 202 for v3/v4).
	Await(ctx context.Context, r *Request) ([]byte, error)
	// Query runs a query; *reject.Error = rejected.
	Query(ctx context.Context, r *Request) ([]byte, error)
	// ReadState returns the CBOR certificate; *Error for refusals (e.g.
	// 403 for a foreign request id).
	ReadState(ctx context.Context, r *Request) ([]byte, error)
	// SignQueryResponse signs a query response hash for the node: returns
	// the node id and an Ed25519 signature over "\x0Bic-response"·hash.
	SignQueryResponse(hash [32]byte) (node principal.Principal, sig []byte)
}

// ErrNotDone is what Await returns when its context ended before the call
// finished.
var ErrNotDone = errors.New("httpapi: call not done yet")

// Error is an HTTP-level refusal: the status code and a message for people,
// sent as the plain-text body the IC sends.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// errorf builds an *Error with a formatted message.
func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: truncate(fmt.Sprintf(format, args...))}
}

// maxMessage bounds what a refusal says: a decoder's error can quote the
// offending input (a 10 KB bignum), which a client neither needs nor
// should get back in full.
const maxMessage = 512

func truncate(msg string) string { return textcut.Cut(msg, maxMessage) }

// Config tunes the handler; zero values take the defaults.
type Config struct {
	SyncCallTimeout time.Duration // how long v3/v4 calls wait before answering 202 (default 10s)
	MaxBodyBytes    int64         // default 5 MiB → 413 above
	MaxIngressBytes int           // the IC's 2 MiB ingress message limit → 413 with a clear message
}

const (
	defaultSyncCallTimeout = 10 * time.Second
	defaultMaxBodyBytes    = 5 << 20
	defaultMaxIngressBytes = 2 << 20
)

func (c Config) withDefaults() Config {
	if c.SyncCallTimeout <= 0 {
		c.SyncCallTimeout = defaultSyncCallTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = defaultMaxBodyBytes
	}
	if c.MaxIngressBytes <= 0 {
		c.MaxIngressBytes = defaultMaxIngressBytes
	}
	return c
}
