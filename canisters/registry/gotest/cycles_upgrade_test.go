package gotest

import (
	"strings"
	"testing"

	"github.com/canistry/canistry/canisters/registry"
)

// TestCyclesFundUpgrade: a canister with too few cycles above its
// freezing limit for the install's instruction budget (the IC refuses such
// an install) is topped up first, charged to its owner's credit, and
// upgrades; one whose owner has no credit is rolled back with the reason
// and keeps serving its version, reported as out of credit.
func TestCyclesFundUpgrade(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("2.0.0", ">=1.0.0 <2.0.0"))

	alice, carol := w.newActor(), w.newActor()
	const credit = 1_000_000_000_000
	if _, err := w.operator.reg.GrantCredit(ctx, alice.principal(), credit); err != nil {
		t.Fatal(err)
	}
	a := install(t, alice, "1.0.0").ID
	c := install(t, carol, "1.0.0").ID
	// 50 days of idle burn above the freezing limit: over the 30-day
	// threshold (the poller leaves it alone), far under the 120 billion
	// cycles an install reserves.
	leaveRunway(t, alice, a, 50*day)
	leaveRunway(t, carol, c, 50*day)
	before := status(t, alice, a)
	if margin := before.Cycles.BigInt().Uint64(); margin == 0 {
		t.Fatal("no cycles")
	}

	u := upgrade(t, alice, a, "2.0.0")
	if u.State != registry.Done {
		t.Fatalf("upgrade of the poor canister: %s (%s)", u.State, u.Reason)
	}
	if got := protocolOf(t, alice, a); got != "personal/2.0.0" {
		t.Fatalf("after the upgrade it answers %q", got)
	}
	st, _, err := alice.reg.CyclesStatus(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := alice.reg.MyCredit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// At least the install's prepayment was missing.
	if st.ToppedUpTotal < 120_005_000_000 || mine.Charged != st.ToppedUpTotal || mine.Balance != credit-st.ToppedUpTotal {
		t.Fatalf("topped up %d, credit %+v; want the install's 120B+ charged", st.ToppedUpTotal, mine)
	}
	ev := eventsOf(t, alice, "canister:"+a.String())
	if countAction(ev, "topped_up") != 1 || countAction(ev, "upgraded") != 1 {
		t.Fatalf("history %+v: want one top-up and the upgrade", ev)
	}

	// Carol has no credit: the upgrade stops before the install and rolls back.
	u = upgrade(t, carol, c, "2.0.0")
	if u.State != registry.RolledBack || !strings.Contains(u.Reason, "out of credit") {
		t.Fatalf("upgrade without credit: %s (%q); want rolled_back, out of credit", u.State, u.Reason)
	}
	if got := protocolOf(t, carol, c); got != "personal/1.0.0" {
		t.Fatalf("after the refused upgrade it answers %q", got)
	}
	cs, _, err := carol.reg.CyclesStatus(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if !cs.OwnerOutOfCredit || !cs.Low || cs.ToppedUpTotal != 0 {
		t.Fatalf("carol's canister %+v: want reported out of credit, nothing deposited", cs)
	}
	if cr, _ := carol.reg.MyCredit(ctx); !hasWarning(cr, c) {
		t.Fatalf("carol's credit %+v does not warn about %s", cr, c)
	}
}
