package registry

import (
	"context"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

func installResult(out c.InstallResult) (Canister, error) {
	if out.Err != nil || out.Ok == nil {
		return Canister{}, fromCandid(out.Err)
	}
	return canisterFromCandid(*out.Ok), nil
}

// Install creates a canister for the caller and installs app's release
// version on it ("": the newest released one), owned by the caller.
func (cl *Client) Install(ctx context.Context, app, version string) (Canister, error) {
	var v *string
	if version != "" {
		v = &version
	}
	var out c.InstallResult
	if err := cl.call(ctx, "install", &out, app, v); err != nil {
		return Canister{}, err
	}
	return installResult(out)
}

// MyCanisters lists the caller's canisters.
func (cl *Client) MyCanisters(ctx context.Context) ([]Canister, error) {
	var out []c.CanisterInfo
	if err := cl.query(ctx, "my_canisters", &out); err != nil {
		return nil, err
	}
	cs := make([]Canister, len(out))
	for i, ci := range out {
		cs[i] = canisterFromCandid(ci)
	}
	return cs, nil
}

// GetCanister is one canister, for its owner or an operator; ok is false
// for anyone else and for unknown ids.
func (cl *Client) GetCanister(ctx context.Context, id principal.Principal) (can Canister, ok bool, err error) {
	var out *c.CanisterInfo
	if err := cl.query(ctx, "get_canister", &out, id); err != nil || out == nil {
		return Canister{}, false, err
	}
	return canisterFromCandid(*out), true, nil
}

// UpgradeTargets are the released versions the caller's canister id may
// upgrade to now, oldest first, by the registry's own reading of each
// release's upgrade_from: what to offer (Upgrade also accepts deprecated
// ones). Empty for anyone but its owner or an operator.
func (cl *Client) UpgradeTargets(ctx context.Context, id principal.Principal) ([]string, error) {
	var out []string
	err := cl.query(ctx, "upgrade_targets", &out, id)
	return out, err
}

// Upgrade starts upgrading the caller's canister id to version; it
// returns at once (state queued) and the registry runs it: follow it
// with GetUpgrade.
func (cl *Client) Upgrade(ctx context.Context, id principal.Principal, version string) (Upgrade, error) {
	var out c.UpgradeResult
	if err := cl.call(ctx, "upgrade", &out, id, version); err != nil {
		return Upgrade{}, err
	}
	if out.Err != nil || out.Ok == nil {
		return Upgrade{}, fromCandid(out.Err)
	}
	return upgradeFromCandid(*out.Ok), nil
}

// GetUpgrade is one upgrade, for the canister's owner or an operator.
func (cl *Client) GetUpgrade(ctx context.Context, id uint64) (up Upgrade, ok bool, err error) {
	var out *c.UpgradeInfo
	if err := cl.query(ctx, "get_upgrade", &out, nat(id)); err != nil || out == nil {
		return Upgrade{}, false, err
	}
	return upgradeFromCandid(*out), true, nil
}

// Uninstall removes the code of the caller's canister id; its entry stays.
func (cl *Client) Uninstall(ctx context.Context, id principal.Principal) (Canister, error) {
	var out c.InstallResult
	if err := cl.call(ctx, "uninstall", &out, id); err != nil {
		return Canister{}, err
	}
	return installResult(out)
}

// Delete stops and deletes the caller's canister id (its history stays).
func (cl *Client) Delete(ctx context.Context, id principal.Principal) error {
	var out c.UnitResult
	if err := cl.call(ctx, "delete", &out, id); err != nil {
		return err
	}
	return unit(out)
}

// ReleaseControl makes the caller the only controller of their canister.
func (cl *Client) ReleaseControl(ctx context.Context, id principal.Principal) error {
	var out c.UnitResult
	if err := cl.call(ctx, "release_control", &out, id); err != nil {
		return err
	}
	return unit(out)
}

// ---- history and quotas ----

// MaxHistoryPage is the most events one History call returns.
const MaxHistoryPage = 100

// History lists subject's events after seq after (exclusive), at most limit
// (≤ MaxHistoryPage). Canister subjects: their owner and operators only.
func (cl *Client) History(ctx context.Context, subject string, after uint64, limit int) ([]Event, error) {
	var out []c.Event
	if err := cl.query(ctx, "history", &out, subject, nat(after), idl.NewNat(uint(max(limit, 0)))); err != nil {
		return nil, err
	}
	evs := make([]Event, len(out))
	for i, e := range out {
		evs[i] = eventFromCandid(e)
	}
	return evs, nil
}

// GetQuotas are the quotas in force.
func (cl *Client) GetQuotas(ctx context.Context) (Quotas, error) {
	var out c.Quotas
	if err := cl.query(ctx, "get_quotas", &out); err != nil {
		return Quotas{}, err
	}
	return quotasFromCandid(out), nil
}

// SetQuotas replaces the quotas (operators only).
func (cl *Client) SetQuotas(ctx context.Context, q Quotas) error {
	var out c.UnitResult
	if err := cl.call(ctx, "set_quotas", &out, quotasToCandid(q)); err != nil {
		return err
	}
	return unit(out)
}
