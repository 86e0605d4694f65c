package replica_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestStopWaitsForOpenCallContexts stops a canister in the middle of a long
// chain of calls: it must report "stopping" while its call contexts are
// open, refuse new calls meanwhile, and only then stop, answering the
// stop_canister call last.
func TestStopWaitsForOpenCallContexts(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	wasm := canisters.MustWasm("test/pingpong/canister.wasm")
	var ids [2]principal.Principal
	for i := range ids {
		ids[i] = replicatest.CreateCanister(t, a)
		if err := replicatest.Install(a, ids[i], wasm, nil, replicatest.ModeInstall); err != nil {
			t.Fatal(err)
		}
	}
	pinged := make(chan error, 1)
	go func() {
		var n idl.Nat
		pinged <- a.Call(ids[0], "ping", []any{ids[1], idl.NewNat(uint64(1_000_000))}, []any{&n})
	}()
	// Wait until the chain is several times deeper than one round's
	// message budget, so that unwinding it takes several rounds.
	testwait.For(t, 60*time.Second, "the call chain goes deeper than one round's budget", func() bool {
		var hits idl.Nat
		err := a.Query(ids[1], "hits", nil, []any{&hits})
		return err == nil && hits.BigInt().Uint64() > 6000
	})
	// Pollers read the canister's status until it is stopped: several at
	// once, since each waits for its answer before asking again, and one
	// of their calls must land in the rounds the chain takes to unwind.
	var sawStopping atomic.Bool
	var pollers sync.WaitGroup
	for range 4 {
		pollers.Go(func() {
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
				var st mgmt.CanisterStatusResult
				if err := a.Call(replicatest.Management, "canister_status", []any{mgmt.CanisterIDArg{CanisterID: ids[1]}}, []any{&st}); err != nil {
					return
				}
				if st.Status.Stopping != nil {
					sawStopping.Store(true)
				}
				if st.Status.Stopped != nil {
					return
				}
			}
		})
	}
	if err := a.Call(replicatest.Management, "stop_canister", []any{mgmt.CanisterIDArg{CanisterID: ids[1]}}, []any{}); err != nil {
		t.Fatalf("stop_canister: %v", err)
	}
	select {
	case err := <-pinged:
		// The chain broke at the stopping canister and unwound as rejects.
		if err == nil || !strings.Contains(err.Error(), "IC0509") && !strings.Contains(err.Error(), "stopping") {
			t.Fatalf("ping through a stopping canister: err = %v, want the stopping reject to propagate", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stop_canister answered while the call chain was still open")
	}
	if st := status(t, a, ids[1]); st.Status.Stopped == nil {
		t.Fatalf("status after stop = %+v", st.Status)
	}
	pollers.Wait()
	if !sawStopping.Load() {
		t.Fatal("canister_status never reported stopping while calls were open")
	}
}
