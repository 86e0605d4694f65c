package gotest

import (
	"bufio"
	"math/big"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/replica"
)

// rolloutBenchSize is CANISTRY_BENCH_ROLLOUT, default 50 (CI stays fast;
// the figure is for 1,000).
func rolloutBenchSize(b *testing.B) int {
	v := os.Getenv("CANISTRY_BENCH_ROLLOUT")
	if v == "" {
		return 50
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("CANISTRY_BENCH_ROLLOUT=%q is not a positive number", v)
	}
	return n
}

// replicaInstructions sums canistry_replica_instructions_total over the
// replicated kinds (ingress, inter_canister, timer): what canisters
// executed, management-canister work (the installs themselves) excluded.
func replicaInstructions(b *testing.B, w *world) float64 {
	resp, err := http.Get(w.r.URL.String() + replica.MetricsPath)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	s := bufio.NewScanner(resp.Body)
	for s.Scan() {
		line := s.Text()
		for _, kind := range []string{"ingress", "inter_canister", "timer"} {
			if rest, ok := strings.CutPrefix(line, `canistry_replica_instructions_total{kind="`+kind+`"} `); ok {
				v, err := strconv.ParseFloat(rest, 64)
				if err != nil {
					b.Fatalf("metric line %q: %v", line, err)
				}
				sum += v
			}
		}
	}
	return sum
}

// BenchmarkRollout: one rollout upgrades N canisters (CANISTRY_BENCH_ROLLOUT)
// from 3.0.0 to 3.0.1, batches of 100, until it is done. It reports the
// time, and the registry's overhead per canister: cycles off its balance,
// and instructions executed by canisters (the registry's callbacks and
// timers, plus each canister's health-check reply).
func BenchmarkRollout(b *testing.B) {
	n := rolloutBenchSize(b)
	for range b.N {
		b.StopTimer()
		w := newWorld(b, registry.Init{})
		roomyQuotas(b, w)
		p := w.newPublisher()
		p.publish(personalRelease("3.0.0", ""))
		owners := make([]*actor, 10)
		for i := range owners {
			owners[i] = w.newActor()
		}
		buildFleet(b, w, owners, n, func(int) (string, registry.UpgradePolicy) {
			return "3.0.0", registry.UpgradePolicy{Kind: registry.Patch}
		})
		p.publish(nextRelease("=3.0.0"))
		before := status(b, w.operator, w.id)
		cyclesBefore := before.Cycles.BigInt()
		instrBefore := replicaInstructions(b, w)
		b.StartTimer()

		start := time.Now()
		r := startRollout(b, w.operator, registry.NewRollout{App: "personal", Version: "3.0.1", CanaryPercent: 1, BatchSize: 100,
			MaxFailures: registry.FailureLimit{N: 0}})
		r = awaitRollout(b, w.operator, r.ID, 30*time.Minute)
		took := time.Since(start)

		b.StopTimer()
		if r.State != registry.RolloutDone || r.Done != uint64(n) {
			b.Fatalf("rollout ended %+v", r)
		}
		after := status(b, w.operator, w.id)
		cyclesAfter := after.Cycles.BigInt()
		spent := new(big.Int).Sub(cyclesBefore, cyclesAfter)
		instr := replicaInstructions(b, w) - instrBefore
		perCycles, _ := new(big.Float).Quo(new(big.Float).SetInt(spent), big.NewFloat(float64(n))).Float64()
		b.Logf("rollout of %d canisters: %v; per canister %.0f cycles, %.0f instructions; registry memory %s → %s bytes",
			n, took, perCycles, instr/float64(n), before.MemorySize.BigInt(), after.MemorySize.BigInt())
		b.ReportMetric(took.Seconds(), "s/rollout")
		b.ReportMetric(perCycles, "cycles/canister")
		b.ReportMetric(instr/float64(n), "instructions/canister")
		b.StartTimer()
	}
}
