package replica_test

import (
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestCompositeQueryAggregatesThreeCanisters: test/ops' composite query sum
// calls get on three counters and adds the answers; nothing it did stays.
// A call back into a canister already executing in the query is refused.
func TestCompositeQueryAggregatesThreeCanisters(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	ops := installOps(t, a)
	var counters []principal.Principal
	for i := 1; i <= 3; i++ {
		id := installCounter(t, a)
		for j := 0; j < i; j++ {
			inc(t, a, id)
		}
		counters = append(counters, id)
	}
	var sum idl.Nat
	if err := a.Query(ops, "sum", []any{counters}, []any{&sum}); err != nil {
		t.Fatalf("composite query: %v", err)
	}
	if got := sum.BigInt().Uint64(); got != 1+2+3 {
		t.Fatalf("sum = %d, want 6", got)
	}
	if got := get(t, a, counters[2]); got != 3 {
		t.Fatalf("a callee's state changed: get = %d", got)
	}
	err := a.Query(ops, "sum", []any{[]principal.Principal{counters[0], ops}}, []any{&sum})
	if err == nil || !strings.Contains(err.Error(), "already executing in this composite query") {
		t.Fatalf("a composite query calling back into itself: %v", err)
	}
}
