package registry

import (
	"context"
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// CyclesStrategy names when a canister is topped up, in dfinity/canfund's
// terms.
type CyclesStrategy string

const (
	// BelowBalance (canfund's BelowThreshold): when the balance drops
	// under Threshold, fund it up to FundTo.
	BelowBalance CyclesStrategy = "below_balance"
	// BelowRuntime (canfund's BelowEstimatedRuntime): when the runway
	// beyond the freezing limit drops under ThresholdTime, add FundTime of
	// its burn (and what brings it back to its freezing limit).
	BelowRuntime CyclesStrategy = "below_runtime"
)

// CyclesPolicy is an app's top-up policy (operators set it). Times are
// whole seconds.
type CyclesPolicy struct {
	Strategy          CyclesStrategy
	Threshold, FundTo uint64        // BelowBalance, cycles
	ThresholdTime     time.Duration // BelowRuntime
	FundTime          time.Duration // BelowRuntime
	MaxTopUp          uint64        // the most one top-up deposits
}

// CyclesSettings drive the registry's poller: every PollInterval it reads
// canister_status of at most BatchSize canisters, round-robin; Reserve is
// what the registry keeps of its own balance.
type CyclesSettings struct {
	PollInterval time.Duration // whole seconds, 1 s to 1 day
	BatchSize    int           // 1 to 500
	Reserve      uint64
}

// CanisterCycles is what the registry knows of one canister's cycles.
type CanisterCycles struct {
	CanisterID     principal.Principal
	App, Version   string
	Owner          principal.Principal
	Balance        uint64
	BurnPerDay     uint64 // observed, never less than IdleBurnPerDay
	IdleBurnPerDay uint64 // canister_status' idle_cycles_burned_per_day
	// Runway is the time left beyond the freezing limit at BurnPerDay;
	// RunwayKnown is false until the canister was polled.
	Runway           time.Duration
	RunwayKnown      bool
	FreezingLimit    uint64
	Low              bool // its app's policy wants it funded, or its owner is out of credit
	OwnerOutOfCredit bool
	Unfunded         uint64 // cycles it lacks that its owner's credit did not cover
	ToppedUpTotal    uint64
	LastTopUp        time.Time // zero: never
	Checked          time.Time // zero: never polled
}

// Credit is an owner's cycles credit.
type Credit struct {
	Owner    principal.Principal
	Balance  uint64
	Charged  uint64 // spent on top-ups so far
	Warnings []string
	Unfunded []CanisterCycles // canisters their credit does not cover
}

// RegistryCycles is the registry's own cycles account.
type RegistryCycles struct {
	Balance, Reserve, BurnPerDay uint64
	Runway                       time.Duration // beyond the reserve
	RunwayKnown                  bool
	CreditOutstanding            uint64 // owners' credit not yet spent
	ToppedUpTotal                uint64
	TopUps                       uint64
}

func validPolicy(p CyclesPolicy) error {
	switch p.Strategy {
	case BelowBalance, BelowRuntime:
		return nil
	}
	return &Error{Kind: InvalidArgument, Message: fmt.Sprintf("unknown cycles strategy %q (below_balance, below_runtime)", p.Strategy)}
}

// SetCyclesPolicy sets app's top-up policy (operators).
func (cl *Client) SetCyclesPolicy(ctx context.Context, app string, p CyclesPolicy) error {
	if err := validPolicy(p); err != nil {
		return err
	}
	var out c.UnitResult
	if err := cl.call(ctx, "set_cycles_policy", &out, app, cyclesPolicyToCandid(p)); err != nil {
		return err
	}
	return unit(out)
}

// CyclesPolicy is app's top-up policy (the default one when none is set).
func (cl *Client) CyclesPolicy(ctx context.Context, app string) (CyclesPolicy, error) {
	var out c.CyclesPolicy
	if err := cl.query(ctx, "get_cycles_policy", &out, app); err != nil {
		return CyclesPolicy{}, err
	}
	return cyclesPolicyFromCandid(out), nil
}

// SetCyclesSettings sets the poller's interval, batch and reserve (operators).
func (cl *Client) SetCyclesSettings(ctx context.Context, s CyclesSettings) error {
	var out c.UnitResult
	if err := cl.call(ctx, "set_cycles_settings", &out, settingsToCandid(s)); err != nil {
		return err
	}
	return unit(out)
}

// CyclesSettings are the poller's settings.
func (cl *Client) CyclesSettings(ctx context.Context) (CyclesSettings, error) {
	var out c.CyclesSettings
	if err := cl.query(ctx, "get_cycles_settings", &out); err != nil {
		return CyclesSettings{}, err
	}
	return settingsFromCandid(out), nil
}

// CyclesStatus is the cycles of canister id; ok is false when the registry
// has no such canister or the caller is neither its owner nor an operator.
func (cl *Client) CyclesStatus(ctx context.Context, id principal.Principal) (st CanisterCycles, ok bool, err error) {
	var out *c.CyclesStatus
	if err := cl.query(ctx, "cycles_status", &out, id); err != nil || out == nil {
		return CanisterCycles{}, false, err
	}
	return cyclesFromCandid(*out), true, nil
}

// LowCycles are the canisters low on cycles or whose owner is out of
// credit, shortest runway first, at most limit (the registry caps it at
// 100). Operators; others get none.
func (cl *Client) LowCycles(ctx context.Context, limit int) ([]CanisterCycles, error) {
	if limit < 0 {
		return nil, &Error{Kind: InvalidArgument, Message: "limit must not be negative"}
	}
	var out []c.CyclesStatus
	if err := cl.query(ctx, "low_cycles", &out, nat(uint64(limit))); err != nil {
		return nil, err
	}
	return cyclesListFromCandid(out), nil
}

// MyCredit is the caller's cycles credit.
func (cl *Client) MyCredit(ctx context.Context) (Credit, error) {
	var out c.CreditInfo
	if err := cl.query(ctx, "my_credit", &out); err != nil {
		return Credit{}, err
	}
	return creditFromCandid(out), nil
}

// GrantCredit adds amount cycles to owner's credit (operators: cycles paid
// off-chain) and returns the new credit.
func (cl *Client) GrantCredit(ctx context.Context, owner principal.Principal, amount uint64) (Credit, error) {
	var out c.CreditResult
	if err := cl.call(ctx, "grant_credit", &out, owner, nat(amount)); err != nil {
		return Credit{}, err
	}
	if out.Err != nil {
		return Credit{}, fromCandid(out.Err)
	}
	return creditFromCandid(*out.Ok), nil
}

// RegistryCycles is the registry's own cycles account (operators; others
// get a permission_denied *Error).
func (cl *Client) RegistryCycles(ctx context.Context) (RegistryCycles, error) {
	var out *c.RegistryCycles
	if err := cl.query(ctx, "registry_cycles", &out); err != nil {
		return RegistryCycles{}, err
	}
	if out == nil {
		return RegistryCycles{}, &Error{Kind: PermissionDenied, Message: "only operators read the registry's cycles"}
	}
	return registryCyclesFromCandid(*out), nil
}
