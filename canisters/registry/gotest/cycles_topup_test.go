package gotest

import (
	"slices"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters/registry"
)

// TestCyclesTopUpAndCredit is issue 13's cycles "done when": a canister
// whose burn would freeze it within the threshold is topped up without
// anyone asking and its owner's credit charged; an owner without credit is
// reported (my_credit, low_cycles, fleet_stats) and not topped up past
// their credit — never left to freeze unlisted.
func TestCyclesTopUpAndCredit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""))
	fastPolling(t, w)

	alice, bob := w.newActor(), w.newActor()
	const aliceCredit = 5_000_000_000_000
	if _, err := w.operator.reg.GrantCredit(ctx, alice.principal(), aliceCredit); err != nil {
		t.Fatal(err)
	}
	a := install(t, alice, "1.0.0").ID
	b := install(t, bob, "1.0.0").ID
	before := status(t, alice, a).Cycles.BigInt().Uint64()

	// Ten days of idle burn left above the freezing limit: under the
	// default 30-day threshold.
	idle := leaveRunway(t, alice, a, 10*day)
	leaveRunway(t, bob, b, 10*day)
	started := time.Now()

	topped := awaitCycles(t, alice, a, "alice's canister topped up", func(c registry.CanisterCycles) bool { return c.ToppedUpTotal > 0 })
	latency := time.Since(started)
	t.Logf("top-up %d cycles %s after the canister fell under the threshold", topped.ToppedUpTotal, latency.Round(time.Millisecond))
	// The default policy adds 60 days of burn: at least the idle burn's.
	if topped.ToppedUpTotal < 60*idle || topped.ToppedUpTotal > 5_000_000_000_000 {
		t.Fatalf("topped up %d cycles, want 60 days of a burn of at least %d a day, capped at 5T", topped.ToppedUpTotal, idle)
	}
	if topped.Low || topped.OwnerOutOfCredit || !topped.RunwayKnown || topped.Runway < 60*day {
		t.Fatalf("after the top-up: %+v; want a runway of 60 days or more, not low", topped)
	}
	if got := status(t, alice, a).Cycles.BigInt().Uint64(); got < before+topped.ToppedUpTotal-1_000_000_000 {
		t.Fatalf("the canister holds %d cycles, had %d before %d were deposited", got, before, topped.ToppedUpTotal)
	}
	credit, err := alice.reg.MyCredit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if credit.Charged != topped.ToppedUpTotal || credit.Balance != aliceCredit-topped.ToppedUpTotal || len(credit.Warnings) != 0 {
		t.Fatalf("alice's credit %+v after a top-up of %d from %d", credit, topped.ToppedUpTotal, uint64(aliceCredit))
	}
	if n := countAction(eventsOf(t, alice, "canister:"+a.String()), "topped_up"); n != 1 {
		t.Fatalf("%d topped_up events, want 1", n)
	}

	// Bob has no credit: reported, not funded.
	unfunded := awaitCycles(t, bob, b, "bob's canister reported", func(c registry.CanisterCycles) bool { return c.OwnerOutOfCredit })
	if !unfunded.Low || unfunded.ToppedUpTotal != 0 || unfunded.Unfunded == 0 {
		t.Fatalf("bob's canister %+v: want low, unfunded, nothing deposited", unfunded)
	}
	bobs, err := bob.reg.MyCredit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bobs.Balance != 0 || len(bobs.Unfunded) != 1 || bobs.Unfunded[0].CanisterID.String() != b.String() || !hasWarning(bobs, b) {
		t.Fatalf("bob's credit %+v: want a warning naming %s and it unfunded", bobs, b)
	}
	low, err := w.operator.reg.LowCycles(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(low, func(c registry.CanisterCycles) bool { return c.CanisterID.String() == b.String() && c.OwnerOutOfCredit }) {
		t.Fatalf("low_cycles %+v does not list %s", low, b)
	}
	if slices.ContainsFunc(low, func(c registry.CanisterCycles) bool { return c.CanisterID.String() == a.String() }) {
		t.Fatalf("low_cycles lists the funded %s", a)
	}
	if fs := fleetStats(t, w.operator); fs.LowCycles != 1 {
		t.Fatalf("fleet_stats low_cycles = %d, want 1", fs.LowCycles)
	}
	if n := countAction(eventsOf(t, bob, "canister:"+b.String()), "out_of_credit"); n != 1 {
		t.Fatalf("%d out_of_credit events, want exactly one however often it is polled", n)
	}

	// A little credit is spent, and no more than that.
	const some = 1_000_000
	if _, err := w.operator.reg.GrantCredit(ctx, bob.principal(), some); err != nil {
		t.Fatal(err)
	}
	partial := awaitCycles(t, bob, b, "bob's credit spent", func(c registry.CanisterCycles) bool { return c.ToppedUpTotal > 0 })
	if partial.ToppedUpTotal != some || !partial.OwnerOutOfCredit {
		t.Fatalf("with %d credit: %+v; want exactly the credit deposited, still out of credit", some, partial)
	}
	if c, _ := bob.reg.MyCredit(ctx); c.Balance != 0 || c.Charged != some {
		t.Fatalf("bob's credit %+v, want 0 left and %d charged", c, some)
	}

	// Enough credit: funded, the warning gone.
	if _, err := w.operator.reg.GrantCredit(ctx, bob.principal(), aliceCredit); err != nil {
		t.Fatal(err)
	}
	funded := awaitCycles(t, bob, b, "bob's canister funded", func(c registry.CanisterCycles) bool { return !c.Low })
	if funded.OwnerOutOfCredit || funded.ToppedUpTotal <= some {
		t.Fatalf("bob's canister %+v after credit was granted", funded)
	}
	if c, _ := bob.reg.MyCredit(ctx); len(c.Warnings) != 0 || len(c.Unfunded) != 0 {
		t.Fatalf("bob's credit still warns: %+v", c)
	}
	rc, err := w.operator.reg.RegistryCycles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rc.TopUps < 3 || rc.ToppedUpTotal != topped.ToppedUpTotal+funded.ToppedUpTotal || rc.CreditOutstanding == 0 {
		t.Fatalf("registry_cycles %+v", rc)
	}
	t.Logf("registry: %+v", rc)
}
