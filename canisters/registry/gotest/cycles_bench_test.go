package gotest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
)

// BenchmarkCyclesPoll: what one poll of 50 canisters (canister_status of
// each, in parallel, and the bookkeeping) costs the registry in cycles
// and time. The metric cycles/poll is the registry's balance drop per
// poll; ns/op the time between polls at a 1 s interval (the timer's).
func BenchmarkCyclesPoll(b *testing.B) {
	const n = 50
	w := benchWorld(b)
	user := w.newActor()
	ids := make([]principal.Principal, n)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { ids[i] = install(b, user, "1.0.0").ID })
	}
	wg.Wait()
	if err := w.operator.reg.SetCyclesSettings(b.Context(), registry.CyclesSettings{PollInterval: time.Second, BatchSize: n, Reserve: 100_000_000_000}); err != nil {
		b.Fatal(err)
	}
	polled := func(after time.Time) time.Time {
		ctx, cancel := context.WithTimeout(b.Context(), time.Minute)
		defer cancel()
		for {
			st, _, err := user.reg.CyclesStatus(ctx, ids[0])
			if err != nil {
				b.Fatal(err)
			}
			if st.Checked.After(after) {
				return st.Checked
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	last := polled(time.Time{})
	before := status(b, w.operator, w.id).Cycles.BigInt()
	b.ResetTimer()
	for range b.N {
		last = polled(last)
	}
	b.StopTimer()
	after := status(b, w.operator, w.id).Cycles.BigInt()
	spent := before.Sub(before, after)
	b.ReportMetric(float64(spent.Int64())/float64(b.N), "cycles/poll")
	b.ReportMetric(float64(spent.Int64())/float64(b.N)/n, "cycles/canister")
}
