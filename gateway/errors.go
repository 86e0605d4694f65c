package gateway

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/textcut"
)

// This file is the one place where failures become Connect errors.

// maxMessage bounds what a client is told: a third-party adapter or a
// canister may quote kilobytes of what it was given.
const maxMessage = 1024

func errorf(code connect.Code, format string, args ...any) *connect.Error {
	return connect.NewError(code, fmt.Errorf(format, args...))
}

// toConnectError maps any failure of the request path onto a Connect
// error. An adapter's gRPC status keeps its code and message (the adapter
// knows what a canister's refusal means); the IC's reject codes travel in
// an IcError detail, never only in text. IC rejects nobody interpreted
// follow the one IC table (ic/reject).
func toConnectError(err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	switch {
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	case errors.Is(err, host.ErrCanisterBusy):
		return connect.NewError(connect.CodeResourceExhausted, err)
	case errors.Is(err, host.ErrAdapterCrashed):
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("%w; the update may or may not have reached the canister: read before retrying", err))
	}
	var rej *ic.Reject
	if errors.As(err, &rej) {
		return withIcError(connect.NewError(rej.Code(), errors.New(rej.Message)), rej.RejectCode, rej.ErrorCode, rej.Message)
	}
	if st, ok := status.FromError(err); ok {
		return fromAdapterStatus(st)
	}
	return connect.NewError(connect.CodeUnavailable, err)
}

// fromAdapterStatus turns an adapter's gRPC status into a Connect error
// with the same code (gRPC and Connect share them).
func fromAdapterStatus(st *status.Status) *connect.Error {
	ce := connect.NewError(connect.Code(st.Code()), errors.New(textcut.Cut(st.Message(), maxMessage)))
	for _, d := range st.Details() {
		if r, ok := d.(*adapterv1.IcReject); ok {
			withIcError(ce, r.GetRejectCode(), r.GetErrorCode(), r.GetMessage())
		}
	}
	return ce
}

func withIcError(ce *connect.Error, rejectCode uint32, errorCode, message string) *connect.Error {
	d, err := connect.NewErrorDetail(&personalv1.IcError{RejectCode: rejectCode, ErrorCode: errorCode, Message: textcut.Cut(message, maxMessage)})
	if err == nil {
		ce.AddDetail(d)
	}
	return ce
}

// interfaceChangedError answers an update that met a canister whose
// interface changed under the cached binding (it was upgraded): the
// binding is renewed, but the update is not retried blindly — it may have
// done part of its work. Unavailable tells the client to retry (after
// reading, if it must be exactly-once); the IC's reject stays in the
// detail.
func interfaceChangedError(err error) *connect.Error {
	ce := connect.NewError(connect.CodeUnavailable, fmt.Errorf("the canister's interface changed during the call (it was upgraded); the gateway re-negotiated, retry the call: %v", err))
	var src *connect.Error
	if errors.As(toConnectError(err), &src) {
		for _, d := range src.Details() {
			ce.AddDetail(d)
		}
	}
	return ce
}

// versionError refuses a request that needs capability c of a canister
// whose version lacks it, naming the first version that has it.
func versionError(b *binding, c personalv1.Capability, required string) *connect.Error {
	msg := fmt.Sprintf("%s cannot honour this request: it needs %s", b.protocol, c)
	if required != "" {
		msg += ", which requires " + required
	}
	ce := connect.NewError(connect.CodeFailedPrecondition, errors.New(msg))
	d, err := connect.NewErrorDetail(&personalv1.VersionError{Protocol: b.protocol, Capability: c, Required: required})
	if err == nil {
		ce.AddDetail(d)
	}
	return ce
}

// negotiationError maps what the certified read said onto Connect codes.
func negotiationError(canister principal.Principal, err error) error {
	switch {
	case errors.Is(err, ic.ErrCanisterNotFound):
		return errorf(connect.CodeNotFound, "canister %s does not exist", canister)
	case errors.Is(err, ic.ErrNoModule), errors.Is(err, ic.ErrNoProtocolMetadata):
		return errorf(connect.CodeFailedPrecondition, "canister %s is not a Canistry canister: %v", canister, errors.Unwrap(err))
	}
	return toConnectError(fmt.Errorf("negotiate the protocol of %s: %w", canister, err))
}
