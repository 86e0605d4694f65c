package registry

import (
	"context"
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// Caller makes raw Candid calls as one identity; *ic.Client and
// *delegated.Caller both are one.
type Caller interface {
	Query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
	Call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
}

// Client calls the registry canister id as caller's identity. Refusals of
// the registry are *Error; IC rejects and transport failures come back as
// the Caller returned them.
type Client struct {
	caller Caller
	id     principal.Principal
}

// New is a client of the registry id.
func New(caller Caller, id principal.Principal) *Client { return &Client{caller: caller, id: id} }

// ID is the registry's canister id.
func (cl *Client) ID() principal.Principal { return cl.id }

func (cl *Client) do(ctx context.Context, update bool, method string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	arg, err := candid.Marshal(args)
	if err != nil {
		return fmt.Errorf("registry.%s: encode the arguments: %w", method, err)
	}
	send := cl.caller.Query
	if update {
		send = cl.caller.Call
	}
	reply, err := send(ctx, cl.id, method, arg)
	if err != nil {
		return err
	}
	if err := candid.Unmarshal(reply, []any{out}); err != nil {
		return fmt.Errorf("registry.%s: decode the reply: %w", method, err)
	}
	return nil
}

func (cl *Client) call(ctx context.Context, method string, out any, args ...any) error {
	return cl.do(ctx, true, method, out, args...)
}

func (cl *Client) query(ctx context.Context, method string, out any, args ...any) error {
	return cl.do(ctx, false, method, out, args...)
}

func unit(r c.UnitResult) error {
	if r.Err != nil {
		return fromCandid(r.Err)
	}
	return nil
}

func validRole(r Role) error {
	switch r {
	case Operator, Developer, Auditor:
		return nil
	}
	return &Error{Kind: InvalidArgument, Message: fmt.Sprintf("unknown role %q (operator, developer, auditor)", r)}
}

// Protocol is what the registry answers to protocol(), e.g. "registry/1.0.0".
func (cl *Client) Protocol(ctx context.Context) (string, error) {
	var out string
	return out, cl.query(ctx, "protocol", &out)
}

// ---- roles ----

// GrantRole gives p role r (operators only).
func (cl *Client) GrantRole(ctx context.Context, r Role, p principal.Principal) error {
	if err := validRole(r); err != nil {
		return err
	}
	var out c.UnitResult
	if err := cl.call(ctx, "grant_role", &out, roleToCandid(r), p); err != nil {
		return err
	}
	return unit(out)
}

// RevokeRole takes role r from p (operators only; not the last operator).
func (cl *Client) RevokeRole(ctx context.Context, r Role, p principal.Principal) error {
	if err := validRole(r); err != nil {
		return err
	}
	var out c.UnitResult
	if err := cl.call(ctx, "revoke_role", &out, roleToCandid(r), p); err != nil {
		return err
	}
	return unit(out)
}

// MyRoles are the caller's roles.
func (cl *Client) MyRoles(ctx context.Context) ([]Role, error) {
	var out []c.Role
	if err := cl.query(ctx, "my_roles", &out); err != nil {
		return nil, err
	}
	roles := make([]Role, len(out))
	for i, r := range out {
		roles[i] = roleFromCandid(r)
	}
	return roles, nil
}

// ListRole lists the holders of role r (operators only; others get none).
func (cl *Client) ListRole(ctx context.Context, r Role) ([]principal.Principal, error) {
	if err := validRole(r); err != nil {
		return nil, err
	}
	var out []principal.Principal
	return out, cl.query(ctx, "list_role", &out, roleToCandid(r))
}

// ---- apps ----

func appResult(out c.AppResult) (App, error) {
	if out.Err != nil || out.Ok == nil {
		return App{}, fromCandid(out.Err)
	}
	return appFromCandid(*out.Ok), nil
}

// CreateApp creates an app with the caller as its first developer
// (operators and developers).
func (cl *Client) CreateApp(ctx context.Context, app NewApp) (App, error) {
	var out c.AppResult
	if err := cl.call(ctx, "create_app", &out, c.NewApp{Id: app.ID, Name: app.Name, Description: app.Description}); err != nil {
		return App{}, err
	}
	return appResult(out)
}

// AddDeveloper adds p (who must hold the developer role) to app's developers.
func (cl *Client) AddDeveloper(ctx context.Context, app string, p principal.Principal) (App, error) {
	var out c.AppResult
	if err := cl.call(ctx, "add_developer", &out, app, p); err != nil {
		return App{}, err
	}
	return appResult(out)
}

// RemoveDeveloper removes p from app's developers.
func (cl *Client) RemoveDeveloper(ctx context.Context, app string, p principal.Principal) (App, error) {
	var out c.AppResult
	if err := cl.call(ctx, "remove_developer", &out, app, p); err != nil {
		return App{}, err
	}
	return appResult(out)
}

// ListApps lists every app.
func (cl *Client) ListApps(ctx context.Context) ([]App, error) {
	var out []c.AppInfo
	if err := cl.query(ctx, "list_apps", &out); err != nil {
		return nil, err
	}
	apps := make([]App, len(out))
	for i, a := range out {
		apps[i] = appFromCandid(a)
	}
	return apps, nil
}

// GetApp is the app id; ok is false when there is none.
func (cl *Client) GetApp(ctx context.Context, id string) (app App, ok bool, err error) {
	var out *c.AppInfo
	if err := cl.query(ctx, "get_app", &out, id); err != nil || out == nil {
		return App{}, false, err
	}
	return appFromCandid(*out), true, nil
}
