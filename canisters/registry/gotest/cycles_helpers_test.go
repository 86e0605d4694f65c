package gotest

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

const day = 24 * time.Hour

// leaveRunway sets the freezing threshold of a's canister id (a controls
// it) so that only runway of its idle burn is left above its freezing
// limit: the canister is as good as frozen within that time, without the
// test waiting for it. It returns the idle burn per day it planned with.
func leaveRunway(t testing.TB, a *actor, id principal.Principal, runway time.Duration) uint64 {
	t.Helper()
	st := status(t, a, id)
	balance := st.Cycles.BigInt()
	idle := st.IdleCyclesBurnedPerDay.BigInt()
	if idle.Sign() <= 0 {
		t.Fatalf("canister %s burns nothing idle (memory %s)", id, st.MemorySize.BigInt())
	}
	// threshold = (balance - idle × runway/day) / (idle/day), in seconds.
	keep := new(big.Int).Mul(idle, big.NewInt(int64(runway/time.Second)))
	keep.Quo(keep, big.NewInt(86_400))
	rest := new(big.Int).Sub(balance, keep)
	threshold := rest.Mul(rest, big.NewInt(86_400)).Quo(rest, idle)
	n := idl.NewBigNat(threshold)
	err := a.agent.Call(replicatest.Management, "update_settings",
		[]any{mgmt.UpdateSettingsArgs{CanisterID: id, Settings: mgmt.CanisterSettings{FreezingThreshold: &n}}}, []any{})
	if err != nil {
		t.Fatalf("update_settings freezing_threshold %s: %v", threshold, err)
	}
	return idle.Uint64()
}

// awaitCycles polls cycles_status as a until done accepts it (the
// registry's timer acts on its own; the test only watches).
func awaitCycles(t testing.TB, a *actor, id principal.Principal, what string, done func(registry.CanisterCycles) bool) registry.CanisterCycles {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var last registry.CanisterCycles
	for {
		st, ok, err := a.reg.CyclesStatus(ctx, id)
		if err != nil {
			t.Fatalf("cycles_status %s: %v", id, err)
		}
		if ok && done(st) {
			return st
		}
		last = st
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still %+v", what, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// eventsOf are the actions of subject's history as a.
func eventsOf(t testing.TB, a *actor, subject string) []registry.Event {
	t.Helper()
	ev, err := a.reg.History(t.Context(), subject, 0, registry.MaxHistoryPage)
	if err != nil {
		t.Fatalf("history %s: %v", subject, err)
	}
	return ev
}

func countAction(events []registry.Event, action string) int {
	n := 0
	for _, e := range events {
		if e.Action == action {
			n++
		}
	}
	return n
}

func hasWarning(c registry.Credit, id principal.Principal) bool {
	for _, w := range c.Warnings {
		if strings.Contains(w, id.String()) {
			return true
		}
	}
	return false
}

// fastPolling makes the registry poll every second (tests).
func fastPolling(t testing.TB, w *world) {
	t.Helper()
	if err := w.operator.reg.SetCyclesSettings(t.Context(), registry.CyclesSettings{PollInterval: time.Second, BatchSize: 50, Reserve: 100_000_000_000}); err != nil {
		t.Fatal(err)
	}
}
