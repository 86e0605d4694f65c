package adapter

import (
	"context"

	"github.com/aviate-labs/agent-go/candid"

	"github.com/canistry/canistry/sdk/adapter/internal/candidguard"
)

// QueryCandid makes a query through ic with args encoded by agent-go's
// candid package (Go values with `ic:` tags) and decodes the reply into
// the pointers in out. A failure to encode or decode is an *Error with
// CodeInternal; a reply that does not decode is also a Mismatch: the
// adapter and the canister disagree about the Candid. A reply beyond what
// any protocol version produces (candidguard's bounds) is refused unread.
func QueryCandid(ctx context.Context, ic IC, method string, args, out []any) error {
	return candidRoundTrip(ctx, ic.Query, method, args, out)
}

// CallCandid is QueryCandid for an update call.
func CallCandid(ctx context.Context, ic IC, method string, args, out []any) error {
	return candidRoundTrip(ctx, ic.Call, method, args, out)
}

func candidRoundTrip(ctx context.Context, send func(context.Context, string, []byte) ([]byte, error), method string, args, out []any) error {
	if args == nil {
		args = []any{}
	}
	arg, err := candid.Marshal(args)
	if err != nil {
		return Errorf(CodeInternal, "encode the Candid arguments of %s: %v", method, err)
	}
	reply, err := send(ctx, method, arg)
	if err != nil {
		return err
	}
	if out == nil {
		out = []any{}
	}
	if err := candidguard.Check(reply, candidguard.Limits{}); err != nil {
		// A hostile canister's reply could cost seconds of CPU in agent-go
		// (deeply nested types, a 100 KB number) shared by every canister
		// this adapter serves: refused before decoding.
		return Errorf(CodeInternal, "the canister's reply to %s is no reply any protocol version gives; refused unread: %v", method, err)
	}
	if err := candid.Unmarshal(reply, out); err != nil {
		e := Errorf(CodeInternal, "decode the Candid reply of %s: %v", method, err)
		e.Mismatch = &Mismatch{Method: method, Reason: "the reply did not decode as the adapter's Candid"}
		return e
	}
	return nil
}
