package replica_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

var (
	counterWasm      = canisters.MustWasm("test/counter/canister.wasm")
	counter2Wasm     = canisters.MustWasm("test/counter2/canister.wasm")
	incompatibleWasm = canisters.MustWasm("test/incompatible/canister.wasm")
)

// installCounter creates a canister and installs the Motoko counter on it.
func installCounter(t testing.TB, a *agent.Agent) principal.Principal {
	t.Helper()
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, counterWasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install counter: %v", err)
	}
	return id
}

func inc(t testing.TB, a *agent.Agent, id principal.Principal) uint64 {
	t.Helper()
	var n idl.Nat
	if err := a.Call(id, "inc", nil, []any{&n}); err != nil {
		t.Fatalf("inc: %v", err)
	}
	return n.BigInt().Uint64()
}

func get(t testing.TB, a *agent.Agent, id principal.Principal) uint64 {
	t.Helper()
	var n idl.Nat
	if err := a.Query(id, "get", nil, []any{&n}); err != nil {
		t.Fatalf("get: %v", err)
	}
	return n.BigInt().Uint64()
}

// TestCounterThroughAgentGo is the core acceptance test: an unmodified agent
// with default settings (query signatures verified) drives a real Motoko
// canister through the management canister.
func TestCounterThroughAgentGo(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)

	for want := uint64(1); want <= 3; want++ {
		if got := inc(t, a, id); got != want {
			t.Fatalf("inc = %d, want %d", got, want)
		}
	}
	if got := get(t, a, id); got != 3 {
		t.Fatalf("get = %d, want 3", got)
	}
	var greeting string
	if err := a.Query(id, "greet", []any{"gateway"}, []any{&greeting}); err != nil || greeting != "Hello, gateway!" {
		t.Fatalf("greet = %q, %v", greeting, err)
	}

	hash, err := a.GetCanisterModuleHash(id)
	if want := sha256.Sum256(counterWasm); err != nil || string(hash) != string(want[:]) {
		t.Fatalf("module_hash = %x, %v; want %x", hash, err, want)
	}
	ctls, err := a.GetCanisterControllers(id)
	if err != nil || len(ctls) != 1 || ctls[0].String() != a.Sender().String() {
		t.Fatalf("controllers = %v, %v; want [%s]", ctls, err, a.Sender())
	}
	did, err := a.GetCanisterMetadata(id, "candid:service")
	if err != nil || !strings.Contains(string(did), "inc") {
		t.Fatalf("candid:service = %q, %v", did, err)
	}
}

func TestQueryDoesNotKeepState(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	// A query method called as an update runs replicated, and still keeps nothing.
	var n idl.Nat
	if err := a.Call(id, "get", nil, []any{&n}); err != nil || n.BigInt().Uint64() != 1 {
		t.Fatalf("get as update = %v, %v", n, err)
	}
	if got := inc(t, a, id); got != 2 {
		t.Fatalf("inc after queries = %d, want 2", got)
	}
}

func TestUpgradeKeepsMotokoState(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	inc(t, a, id)

	err := replicatest.Install(a, id, counter2Wasm, nil, replicatest.ModeUpgrade)
	if err == nil || !strings.Contains(err.Error(), "wasm_memory_persistence") {
		t.Fatalf("upgrade without keep: err = %v, want the IC's missing-option error", err)
	}
	if got := get(t, a, id); got != 2 {
		t.Fatalf("after refused upgrade get = %d, want 2", got)
	}
	if err := replicatest.Install(a, id, counter2Wasm, nil, replicatest.ModeUpgradeKeep); err != nil {
		t.Fatalf("upgrade with keep: %v", err)
	}
	if got := get(t, a, id); got != 2 {
		t.Fatalf("after upgrade get = %d, want 2", got)
	}
	var v string
	if err := a.Query(id, "version", nil, []any{&v}); err != nil || v != "2" {
		t.Fatalf("version = %q, %v (new code not running)", v, err)
	}
	if got := inc(t, a, id); got != 3 {
		t.Fatalf("inc after upgrade = %d, want 3", got)
	}
}

func TestIncompatibleUpgradeIsRefusedAtomically(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	err := replicatest.Install(a, id, incompatibleWasm, nil, replicatest.ModeUpgradeKeep)
	if err == nil || !strings.Contains(err.Error(), "IC05") {
		t.Fatalf("incompatible upgrade: err = %v, want a canister error", err)
	}
	if got := inc(t, a, id); got != 2 {
		t.Fatalf("old code after failed upgrade: inc = %d, want 2", got)
	}
}

func TestReinstallWipesState(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	if err := replicatest.Install(a, id, counterWasm, nil, replicatest.ModeInstall); err == nil || !strings.Contains(err.Error(), "IC0514") {
		t.Fatalf("install on a non-empty canister: err = %v, want IC0514", err)
	}
	if err := replicatest.Install(a, id, counterWasm, nil, replicatest.ModeReinstall); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	if got := get(t, a, id); got != 0 {
		t.Fatalf("after reinstall get = %d, want 0", got)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	const n = 25
	for i := 0; i < n; i++ {
		inc(t, a, id)
	}
	rootKey := a.GetRootKey()
	r.Stop()

	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	a2 := r2.Agent(t, nil)
	if string(a2.GetRootKey()) != string(rootKey) {
		t.Fatal("root key changed across a restart")
	}
	if got := get(t, a2, id); got != n {
		t.Fatalf("after restart get = %d, want %d", got, n)
	}
	if got := inc(t, a2, id); got != n+1 {
		t.Fatalf("inc after restart = %d, want %d", got, n+1)
	}
}

func TestSecondReplicaOnSameStateDirIsRefused(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	_, err := replica.Open(replica.Config{StateDir: r.StateDir, Logger: replicatest.Quiet})
	if err == nil || !strings.Contains(err.Error(), "in use by another replica") {
		t.Fatalf("second open: err = %v", err)
	}
}
