package replica_test

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

var beaterWasm = canisters.MustWasm("test/beater/canister.wasm")

func installBeater(t *testing.T, a *agent.Agent) principal.Principal {
	t.Helper()
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, beaterWasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install beater: %v", err)
	}
	return id
}

// TestHeartbeatCounterAdvances: canister_heartbeat runs round after round
// while the canister runs, not while it is stopped, and again after a
// restart.
func TestHeartbeatCounterAdvances(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	user, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, user)
	beater := installBeater(t, a)
	testwait.For(t, 20*time.Second, "three heartbeats", func() bool { return get(t, a, beater) >= 3 })

	if err := a.Call(replicatest.Management, "stop_canister", []any{mgmt.CanisterIDArg{CanisterID: beater}}, []any{}); err != nil {
		t.Fatal(err)
	}
	version := status(t, a, beater).Version
	// The witness is a second beater: once it has beaten three times,
	// rounds with heartbeats have run since the stop.
	witness := installBeater(t, a)
	testwait.For(t, 20*time.Second, "the witness beats three times", func() bool { return get(t, a, witness) >= 3 })
	if got := status(t, a, beater).Version; got != version {
		t.Fatalf("a stopped canister's heartbeat ran: version %d → %d", version, got)
	}

	before := get(t, a, witness)
	r.Stop()
	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	a2 := r2.Agent(t, user)
	if got := get(t, a2, witness); got < before {
		t.Fatalf("after a restart beats = %d, had %d", got, before)
	}
	testwait.For(t, 20*time.Second, "heartbeats after a restart", func() bool { return get(t, a2, witness) >= before+2 })
}
