package gotest

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
)

// TestCyclesRefusals: only operators grant credit, set policies and
// settings or read the fleet's cycles; every value is bounded.
func TestCyclesRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""))
	user := w.newActor()
	id := install(t, user, "1.0.0").ID
	op := w.operator.reg

	_, err := p.dev.reg.GrantCredit(ctx, user.principal(), 1)
	wantKind(t, "grant by a developer", err, registry.PermissionDenied)
	_, err = op.GrantCredit(ctx, user.principal(), 0)
	wantKind(t, "grant 0", err, registry.InvalidArgument)
	_, err = op.GrantCredit(ctx, user.principal(), 100_000_000_000_001)
	wantKind(t, "grant over 100T", err, registry.InvalidArgument)
	_, err = op.GrantCredit(ctx, principal.AnonymousID, 1)
	wantKind(t, "grant to anonymous", err, registry.InvalidArgument)

	good := registry.CyclesPolicy{Strategy: registry.BelowBalance, Threshold: 1_000_000_000, FundTo: 2_000_000_000, MaxTopUp: 1_000_000_000}
	wantKind(t, "policy by a developer", p.dev.reg.SetCyclesPolicy(ctx, "personal", good), registry.PermissionDenied)
	wantKind(t, "policy of no app", op.SetCyclesPolicy(ctx, "nope", good), registry.NotFound)
	bad := map[string]registry.CyclesPolicy{
		"fund_to not above threshold": {Strategy: registry.BelowBalance, Threshold: 5, FundTo: 5, MaxTopUp: 1},
		"threshold 0":                 {Strategy: registry.BelowBalance, Threshold: 0, FundTo: 5, MaxTopUp: 1},
		"max_top_up 0":                {Strategy: registry.BelowBalance, Threshold: 1, FundTo: 5, MaxTopUp: 0},
		"fund_to over 100T":           {Strategy: registry.BelowBalance, Threshold: 1, FundTo: 200_000_000_000_000, MaxTopUp: 1},
		"runtime threshold 0":         {Strategy: registry.BelowRuntime, ThresholdTime: 0, FundTime: day, MaxTopUp: 1},
		"fund time under threshold":   {Strategy: registry.BelowRuntime, ThresholdTime: 2 * day, FundTime: day, MaxTopUp: 1},
		"runtime over ten years":      {Strategy: registry.BelowRuntime, ThresholdTime: day, FundTime: 11 * 365 * day, MaxTopUp: 1},
		"unknown strategy":            {Strategy: "always", MaxTopUp: 1},
	}
	for what, pol := range bad {
		wantKind(t, what, op.SetCyclesPolicy(ctx, "personal", pol), registry.InvalidArgument)
	}
	if pol, err := op.CyclesPolicy(ctx, "personal"); err != nil || pol.Strategy != registry.BelowRuntime || pol.ThresholdTime != 30*day || pol.FundTime != 60*day {
		t.Fatalf("the default policy survived refusals as %+v, %v; want below_runtime 30/60 days", pol, err)
	}
	if err := op.SetCyclesPolicy(ctx, "personal", good); err != nil {
		t.Fatal(err)
	}
	if pol, err := op.CyclesPolicy(ctx, "personal"); err != nil || pol != good {
		t.Fatalf("policy %+v, %v; want %+v", pol, err, good)
	}

	settings := registry.CyclesSettings{PollInterval: time.Second, BatchSize: 10, Reserve: 1}
	wantKind(t, "settings by a developer", p.dev.reg.SetCyclesSettings(ctx, settings), registry.PermissionDenied)
	for what, s := range map[string]registry.CyclesSettings{
		"interval 0":      {PollInterval: 0, BatchSize: 10},
		"interval > 1 d":  {PollInterval: 2 * day, BatchSize: 10},
		"batch 0":         {PollInterval: time.Second, BatchSize: 0},
		"batch 501":       {PollInterval: time.Second, BatchSize: 501},
		"negative batch":  {PollInterval: time.Second, BatchSize: -1},
		"reserve > 100 T": {PollInterval: time.Second, BatchSize: 1, Reserve: 100_000_000_000_001},
	} {
		wantKind(t, what, op.SetCyclesSettings(ctx, s), registry.InvalidArgument)
	}
	if err := op.SetCyclesSettings(ctx, settings); err != nil {
		t.Fatal(err)
	}
	if got, err := op.CyclesSettings(ctx); err != nil || got != settings {
		t.Fatalf("settings %+v, %v; want %+v", got, err, settings)
	}

	stranger := w.newActor()
	if _, ok, err := stranger.reg.CyclesStatus(ctx, id); ok || err != nil {
		t.Fatalf("a stranger read the cycles of %s (%v)", id, err)
	}
	if _, ok, err := op.CyclesStatus(ctx, id); !ok || err != nil {
		t.Fatalf("an operator cannot read the cycles of %s (%v)", id, err)
	}
	if low, err := user.reg.LowCycles(ctx, 10); err != nil || len(low) != 0 {
		t.Fatalf("low_cycles for a user: %v, %v; want none", low, err)
	}
	_, err = user.reg.RegistryCycles(ctx)
	wantKind(t, "registry_cycles by a user", err, registry.PermissionDenied)
}
