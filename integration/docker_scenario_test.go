package integration

import (
	"bytes"
	"crypto/sha256"
	"net/url"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// counterScenario is the end-to-end scenario every way of running the
// replica must pass (in-process, child process, Docker): an unmodified
// agent-go with a fresh identity creates a canister, installs the counter,
// updates it and reads it back through both verification paths agents use,
// a signed query and a certified read_state.
func counterScenario(t testing.TB, replicaURL *url.URL) {
	t.Helper()
	a := agentAt(t, replicaURL)
	cid := replicatest.CreateCanister(t, a)
	wasm := canisters.MustWasm("test/counter/canister.wasm")
	if err := replicatest.Install(a, cid, wasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install counter: %v", err)
	}
	const incs = 3
	for want := uint64(1); want <= incs; want++ {
		var got idl.Nat
		if err := a.Call(cid, "inc", nil, []any{&got}); err != nil {
			t.Fatalf("inc #%d: %v", want, err)
		}
		if got.BigInt().Uint64() != want {
			t.Fatalf("inc #%d returned %s", want, got.BigInt())
		}
	}
	// agent-go verifies the node signature of every query response by default.
	var count idl.Nat
	if err := a.Query(cid, "get", nil, []any{&count}); err != nil {
		t.Fatalf("query get: %v", err)
	}
	if count.BigInt().Uint64() != incs {
		t.Fatalf("get = %s, want %d", count.BigInt(), incs)
	}
	// read_state answers come with a BLS certificate that agent-go checks
	// against the root key through the subnet delegation.
	hash, err := a.GetCanisterModuleHash(cid)
	if err != nil {
		t.Fatalf("certified module hash: %v", err)
	}
	if want := sha256.Sum256(wasm); !bytes.Equal(hash, want[:]) {
		t.Fatalf("module hash %x, want %x", hash, want)
	}
	controllers, err := a.GetCanisterControllers(cid)
	if err != nil {
		t.Fatalf("certified controllers: %v", err)
	}
	if len(controllers) != 1 || controllers[0].String() != a.Sender().String() {
		t.Fatalf("controllers %v, want [%s]", controllers, a.Sender())
	}
}

// agentAt is an agent-go agent with a fresh Ed25519 identity for the replica
// at u: the default configuration plus FetchRootKey (a local replica has its
// own root key).
func agentAt(t testing.TB, u *url.URL) *agent.Agent {
	t.Helper()
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Config{
		Identity:     id,
		FetchRootKey: true,
		ClientConfig: []agent.ClientOption{agent.WithHostURL(u)},
		PollTimeout:  30 * time.Second,
	})
	if err != nil {
		t.Fatalf("agent for %s: %v", u, err)
	}
	return a
}

// TestCounterScenarioInProcess runs the scenario against a replica served
// from this test process, the reference the Docker run is compared with.
func TestCounterScenarioInProcess(t *testing.T) {
	counterScenario(t, replicatest.Start(t, replica.Config{}).URL)
}

// TestCounterScenarioChildProcess runs it against `canistry replica` started
// as a child process.
func TestCounterScenarioChildProcess(t *testing.T) {
	counterScenario(t, startReplica(t, t.TempDir()).URL)
}
