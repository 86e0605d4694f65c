package replica_test

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// coldFleet is how many canisters BenchmarkColdQuery queries between
// restarts: each of them once, while none is live.
const coldFleet = 200

// BenchmarkColdQuery is one query to a personal canister whose instance is
// not live (restored from the store: module from the compiled cache, heap
// pages, stable memory, globals), the case that dominates a query to any
// canister of a large fleet. The replica restarts (untimed) whenever every
// canister was queried once. Unverified agent-go round trip included. The
// p50 is the figure: the mean also carries the first query after each
// restart, which compiles the module (about 250 ms for personal/2.0.0).
// Measured on the 2-core machine: p50 0.49 ms (4.7 ms mean before commits
// and rollbacks skipped unpopulated pages). Run:
//
//	go test -run '^$' -bench ColdQuery -benchtime 1000x ./replica/
func BenchmarkColdQuery(b *testing.B) {
	owner, err := identity.NewRandomEd25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	cfg := replica.Config{StateDir: b.TempDir()}
	r := replicatest.Start(b, cfg)
	ids := installFleet(b, r.Agent(b, owner), coldFleet)
	r.Restart(b, cfg)
	q := unverifiedAgent(b, r, owner)
	next := 0
	var took []time.Duration
	for b.Loop() {
		if next == len(ids) {
			b.StopTimer()
			r.Restart(b, cfg)
			q = unverifiedAgent(b, r, owner)
			next = 0
			b.StartTimer()
		}
		t0 := time.Now()
		queryDocument(b, q, ids[next])
		took = append(took, time.Since(t0))
		next++
	}
	b.ReportMetric(p50ms(took), "ms-p50")
}
