package adaptertest

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	version "github.com/hashicorp/go-version"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/adapter"
)

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
	for _, v := range personal.Versions() {
		if !constraint.Check(version.Must(version.NewVersion(v))) {
			continue
		}
		wasm, err := personal.Wasm(v)
		if err != nil {
			return nil, err
		}
		out[v] = wasm
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no personal canister of this repository (%v) satisfies %q; set Config.Wasm",
			personal.Versions(), m.Constraint)
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

// agents connects to cfg.Replica, or starts a replica for the test: the
// owner of the canisters Run installs, and a stranger to them.
func agents(t *testing.T, cfg Config) (owner, stranger *agent.Agent) {
	t.Helper()
	if cfg.Replica == nil {
		r := replicatest.Start(t, replica.Config{})
		return r.Agent(t, nil), r.Agent(t, nil)
	}
	return agentOf(t, cfg.Replica.URL, cfg.Replica.Identity), agentOf(t, cfg.Replica.URL, nil)
}

// agentOf is an agent of id (nil: a fresh Ed25519 identity) for a local
// replica, whose root key it fetches.
func agentOf(t *testing.T, u *url.URL, id identity.Identity) *agent.Agent {
	t.Helper()
	if id == nil {
		var err error
		if id, err = identity.NewRandomEd25519Identity(); err != nil {
			t.Fatal(err)
		}
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

// installPersonal creates a canister owned by the agent's identity and
// installs wasm on it.
func installPersonal(t *testing.T, a *agent.Agent, wasm []byte) principal.Principal {
	t.Helper()
	id, err := personal.Create(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if err := personal.Install(t.Context(), a, id, wasm, a.Sender()); err != nil {
		t.Fatalf("install the canister: %v", err)
	}
	return id
}
