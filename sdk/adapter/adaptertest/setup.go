package adaptertest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	version "github.com/hashicorp/go-version"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/adapter"
)

// personalVersions are the personal canister versions this repository
// ships, in canisters/personal.
var personalVersions = []string{"1.0.0", "2.0.0", "3.0.0"}

// wasmByVersion is cfg.Wasm, or the repository's personal canisters that
// the manifest's constraint admits.
func wasmByVersion(m adapter.Manifest, cfg Config) (map[string][]byte, error) {
	if cfg.Wasm != nil {
		return cfg.Wasm, nil
	}
	constraint, err := version.NewConstraint(m.Constraint)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, v := range personalVersions {
		if !constraint.Check(version.Must(version.NewVersion(v))) {
			continue
		}
		wasm, err := canisters.Wasm("personal/" + v + "/canister.wasm")
		if err != nil {
			return nil, err
		}
		out[v] = wasm
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no personal canister of this repository (%v) satisfies %q; set Config.Wasm",
			personalVersions, m.Constraint)
	}
	return out, nil
}

func sortedVersions(wasm map[string][]byte) []string {
	vs := make([]string, 0, len(wasm))
	for v := range wasm {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// agentFor connects to cfg.Replica, or starts a replica for the test.
func agentFor(t *testing.T, cfg Config) *agent.Agent {
	t.Helper()
	if cfg.Replica == nil {
		return replicatest.Start(t, replica.Config{}).Agent(t, nil)
	}
	id := cfg.Replica.Identity
	if id == nil {
		var err error
		if id, err = identity.NewRandomEd25519Identity(); err != nil {
			t.Fatal(err)
		}
	}
	a, err := agent.New(agent.Config{
		Identity:     id,
		FetchRootKey: true,
		ClientConfig: []agent.ClientOption{agent.WithHostURL(cfg.Replica.URL)},
		PollTimeout:  30 * time.Second,
	})
	if err != nil {
		t.Fatalf("agent for %s: %v", cfg.Replica.URL, err)
	}
	return a
}

type ownerArg struct {
	Owner principal.Principal `ic:"owner"`
}

// installPersonal creates a canister owned by the agent's identity and
// installs wasm on it.
func installPersonal(t *testing.T, a *agent.Agent, wasm []byte) principal.Principal {
	t.Helper()
	id := replicatest.CreateCanister(t, a)
	arg, err := candid.Marshal([]any{ownerArg{Owner: a.Sender()}})
	if err != nil {
		t.Fatalf("encode the init argument: %v", err)
	}
	if err := replicatest.Install(a, id, wasm, arg, replicatest.ModeInstall); err != nil {
		t.Fatalf("install the canister: %v", err)
	}
	return id
}
