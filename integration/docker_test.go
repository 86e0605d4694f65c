package integration

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestReplicaInDocker runs the counter scenario against the replica in a
// FROM scratch container: the static binary, the image and its defaults
// (non-root user, /state) must make a replica that unmodified agents accept.
func TestReplicaInDocker(t *testing.T) {
	r := startReplicaInDocker(t)
	counterScenario(t, r.URL)
}

// TestFactoryScenarioInDocker runs the same factory scenario as the
// in-process test (replica.TestFactoryCreatesAndCallsChildren) against the
// replica in Docker: inter-canister calls, management calls from a canister
// paid with its cycles, upgrade, stop and start.
func TestFactoryScenarioInDocker(t *testing.T) {
	r := startReplicaInDocker(t)
	if err := replicatest.FactoryScenario(agentAt(t, r.URL)); err != nil {
		t.Fatal(err)
	}
}

// TestReplicaInDockerKeepsStateInVolume: with a named volume on /state, a
// container killed with SIGKILL leaves every answered update to the next
// container of the image. This holds the image's /state ownership (the
// replica runs as a non-root user) and the volume wiring, not just the
// replica's own durability.
func TestReplicaInDockerKeepsStateInVolume(t *testing.T) {
	pool := dockerPool(t)
	r := startReplicaInDocker(t, dockerVolume(t, pool)+":/state")
	a := agentAt(t, r.URL)
	cid := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, cid, canisters.MustWasm("test/counter/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install counter: %v", err)
	}
	const incs = 5
	for i := 0; i < incs; i++ {
		if err := a.Call(cid, "inc", nil, []any{new(idl.Nat)}); err != nil {
			t.Fatalf("inc %d: %v", i, err)
		}
	}

	r.restart(t)
	var got idl.Nat
	if err := agentAt(t, r.URL).Query(cid, "get", nil, []any{&got}); err != nil {
		t.Fatalf("get from the next container: %v", err)
	}
	if got.BigInt().Uint64() != incs {
		t.Fatalf("next container: get = %s, want %d", got.BigInt(), incs)
	}
}
