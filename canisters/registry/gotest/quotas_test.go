package gotest

import (
	"testing"
	"time"

	"github.com/canistry/canistry/canisters/registry"
)

func wantQuota(t testing.TB, what string, err error, limit string, minRetry, maxRetry time.Duration) {
	t.Helper()
	e := wantKind(t, what, err, registry.QuotaExceeded)
	if e.Limit != limit || e.RetryAfter < minRetry || e.RetryAfter > maxRetry || e.Message == "" {
		t.Errorf("%s: %+v; want limit %s, retry after %v..%v", what, e, limit, minRetry, maxRetry)
	}
}

func countCanisters(t testing.TB, a *actor) int {
	t.Helper()
	cs, err := a.reg.MyCanisters(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

// TestQuotas: each limit refuses the install that would pass it, names
// itself and when it frees, and leaves the user's canisters as they were.
func TestQuotas(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""))
	q, err := w.operator.reg.GetQuotas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q != (registry.Quotas{CanistersPerUser: 3, CreationsPerUserDay: 5, CreationsPerHour: 1000, CyclesPerCanister: 1_000_000_000_000}) {
		t.Errorf("default quotas %+v", q)
	}
	alice, bob := w.newActor(), w.newActor()
	for range 3 {
		install(t, alice, "")
	}
	_, err = alice.reg.Install(ctx, "personal", "")
	wantQuota(t, "a 4th canister", err, "canisters_per_user", 0, 0)
	if n := countCanisters(t, alice); n != 3 {
		t.Errorf("alice has %d canisters", n)
	}

	// More canisters allowed, but only 4 creations a day.
	q.CanistersPerUser, q.CreationsPerUserDay = 10, 4
	if err := w.operator.reg.SetQuotas(ctx, q); err != nil {
		t.Fatal(err)
	}
	install(t, alice, "")
	_, err = alice.reg.Install(ctx, "personal", "")
	wantQuota(t, "a 5th creation in a day", err, "creations_per_day", 23*time.Hour, 24*time.Hour)
	// Deleting does not give creations back.
	mine, _ := alice.reg.MyCanisters(ctx)
	if err := alice.reg.Delete(ctx, mine[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err = alice.reg.Install(ctx, "personal", "")
	wantQuota(t, "a creation after a delete", err, "creations_per_day", 23*time.Hour, 24*time.Hour)

	// The global rate: 4 creations so far this hour.
	q.CreationsPerHour = 4
	if err := w.operator.reg.SetQuotas(ctx, q); err != nil {
		t.Fatal(err)
	}
	_, err = bob.reg.Install(ctx, "personal", "")
	wantQuota(t, "a creation over the hourly rate", err, "creations_per_hour", time.Minute, time.Hour)

	// The registry's own cycles.
	q.CreationsPerHour, q.CyclesPerCanister = 1000, 1<<62
	if err := w.operator.reg.SetQuotas(ctx, q); err != nil {
		t.Fatal(err)
	}
	_, err = bob.reg.Install(ctx, "personal", "")
	wantQuota(t, "a creation the registry cannot pay", err, "registry_cycles", 0, 0)
	if n := countCanisters(t, bob); n != 0 {
		t.Errorf("bob has %d canisters after the refusals", n)
	}
	q.CyclesPerCanister = 1
	wantKind(t, "cycles below the creation fee", w.operator.reg.SetQuotas(ctx, q), registry.InvalidArgument)
}
