package gateway

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/reject"
)

// The registry's canister_inspect_message refuses, before they run, the
// updates of principals without a role, but for those every user may make
// (install and what an owner does to their canister). The IC reports such
// a refusal as the canister's error, which alone would read as internal;
// roleGate asks the registry, on that failure only, whether the caller
// holds any role, and makes the refusal permission_denied when it holds
// none — a fact the registry certifies, not a message's wording.

// openUpdates are the updates the registry's inspect admits from anyone.
var openUpdates = map[string]bool{"install": true, "upgrade": true, "uninstall": true, "delete": true, "release_control": true,
	"set_policy": true}

// roleGate is a registry.Caller that turns inspect's refusals of role-less
// callers into permission_denied.
type roleGate struct {
	registry.Caller
}

func (g roleGate) Call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	reply, err := g.Caller.Call(ctx, canister, method, arg)
	var rej *ic.Reject
	if err == nil || openUpdates[method] || !errors.As(err, &rej) || rej.RejectCode != reject.CanisterError {
		return reply, err
	}
	roles, rerr := registry.New(g.Caller, canister).MyRoles(ctx)
	if rerr != nil || len(roles) > 0 {
		return nil, err
	}
	return nil, withIcError(connect.NewError(connect.CodePermissionDenied, fmt.Errorf(
		"the registry refuses %s from principals without a role, and you hold none: ask an operator for the developer or auditor role", method)),
		rej.RejectCode, rej.ErrorCode, rej.Message)
}
