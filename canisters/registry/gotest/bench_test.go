package gotest

import (
	"sync"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters/registry"
)

// benchWorld is a registry with personal 1.0.0 and 3.0.0 released and
// quotas no benchmark reaches.
func benchWorld(b *testing.B) *world {
	w := newWorld(b, registry.Init{})
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("3.0.0", ">=1.0.0 <3.0.0"))
	q := registry.Quotas{CanistersPerUser: 1 << 20, CreationsPerUserDay: 1 << 20, CreationsPerHour: 1 << 20, CyclesPerCanister: 1_000_000_000_000}
	if err := w.operator.reg.SetQuotas(b.Context(), q); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkInstall: one install through the registry (create_canister,
// chunk upload, install_chunked_code, clear) of personal 3.0.0, each by a
// user of their own.
func BenchmarkInstall(b *testing.B) {
	w := benchWorld(b)
	users := make([]*actor, b.N)
	for i := range users {
		users[i] = w.newActor()
	}
	b.ResetTimer()
	for i := range b.N {
		install(b, users[i], "3.0.0")
	}
}

// BenchmarkUpgrade: one owner-timed upgrade 1.0.0 → 3.0.0 with stop,
// snapshot, install, start and health check, until get_upgrade says done.
func BenchmarkUpgrade(b *testing.B) {
	w := benchWorld(b)
	user := w.newActor()
	ids := make([]registry.Canister, b.N)
	for i := range ids {
		ids[i] = install(b, user, "1.0.0")
	}
	b.ResetTimer()
	for i := range b.N {
		if u := upgrade(b, user, ids[i].ID, "3.0.0"); u.State != registry.Done {
			b.Fatalf("upgrade ended %s: %s", u.State, u.Reason)
		}
	}
}

// Benchmark100Installs: 100 users install at once; the metric is the
// time until the last one has its canister.
func Benchmark100Installs(b *testing.B) {
	w := benchWorld(b)
	for i := range b.N {
		b.StopTimer()
		users := make([]*actor, 100)
		for i := range users {
			users[i] = w.newActor()
		}
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Go(func() { install(b, u, "3.0.0") })
		}
		wg.Wait()
		took := time.Since(start)
		st := status(b, w.operator, w.id)
		b.Logf("100 installs (%d canisters before): %v; registry memory %s bytes", len(users)*i, took, st.MemorySize.BigInt())
		b.ReportMetric(took.Seconds(), "s/100installs")
	}
}
