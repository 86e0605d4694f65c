// Package replicatest starts real replicas for tests and gives them agents:
// unmodified agent-go v0.9.2 agents with the default configuration, plus
// FetchRootKey because a local replica has its own root key.
package replicatest

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
)

// Replica is a replica served over HTTP on 127.0.0.1 for one test.
type Replica struct {
	*replica.Replica
	URL      *url.URL
	StateDir string
	server   *httptest.Server
	// serving guards Replica: requests hold it shared, Restart exclusively,
	// so clients keep the URL and their connections and a request sent
	// during a restart waits for the new replica.
	serving sync.RWMutex
}

// Start runs a replica on a fresh state directory (or cfg.StateDir when
// set) until the test ends. Its logs are discarded unless cfg.Logger is
// set: go test prints what a test binary writes, and log lines between a
// benchmark's name and its numbers break benchstat.
func Start(t testing.TB, cfg replica.Config) *Replica {
	t.Helper()
	if cfg.StateDir == "" {
		cfg.StateDir = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = Quiet
	}
	r, err := replica.Open(cfg)
	if err != nil {
		t.Fatalf("open replica: %v", err)
	}
	rep := &Replica{Replica: r, StateDir: cfg.StateDir}
	rep.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rep.serving.RLock()
		defer rep.serving.RUnlock()
		rep.Handler().ServeHTTP(w, req)
	}))
	rep.URL, _ = url.Parse(rep.server.URL)
	t.Cleanup(rep.Stop)
	return rep
}

// Restart closes the replica and opens it again with cfg on the same state
// dir (cfg.StateDir is ignored; a nil Logger discards), serving on the same
// URL. Requests that arrive meanwhile wait for the new one.
func (r *Replica) Restart(t testing.TB, cfg replica.Config) {
	t.Helper()
	cfg.StateDir = r.StateDir
	if cfg.Logger == nil {
		cfg.Logger = Quiet
	}
	r.serving.Lock()
	defer r.serving.Unlock()
	r.Replica.Close()
	next, err := replica.Open(cfg)
	if err != nil {
		t.Fatalf("reopen replica: %v", err)
	}
	r.Replica = next
}

// Stop ends the replica early (to restart it on the same state dir).
func (r *Replica) Stop() {
	if r.server == nil {
		return
	}
	r.server.Close()
	r.Replica.Close()
	r.server = nil
}

// Agent is an agent-go agent of id (nil: a fresh Ed25519 identity) for r.
func (r *Replica) Agent(t testing.TB, id identity.Identity) *agent.Agent {
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
		ClientConfig: []agent.ClientOption{agent.WithHostURL(r.URL)},
		PollTimeout:  30 * time.Second,
	})
	if err != nil {
		t.Fatalf("new agent: %v", err)
	}
	return a
}

// CreateCanister creates an empty canister controlled by a's identity.
func CreateCanister(t testing.TB, a *agent.Agent) principal.Principal {
	t.Helper()
	var out mgmt.CanisterIDResult
	err := a.Call(Management, "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{}}, []any{&out})
	if err != nil {
		t.Fatalf("provisional_create_canister_with_cycles: %v", err)
	}
	return out.CanisterID
}

// Install installs wasm on the canister with the given mode.
func Install(a *agent.Agent, id principal.Principal, wasm, arg []byte, mode mgmt.InstallMode) error {
	if arg == nil {
		arg = []byte("DIDL\x00\x00")
	}
	return a.Call(Management, "install_code", []any{mgmt.InstallCodeArgs{
		Mode: mode, CanisterID: id, WasmModule: wasm, Arg: arg,
	}}, []any{})
}

// Quiet is a logger that discards everything, for replicas a test opens
// itself (replica.Open) and whose logs it does not read.
var Quiet = slog.New(slog.DiscardHandler)

// Management is aaaaa-aa with its (empty, non-nil) raw bytes, so that
// agent-go puts canister_id into the request as the spec requires.
var Management = principal.MustDecode("aaaaa-aa")

// The install modes.
var (
	null            = idl.Null{}
	ModeInstall     = mgmt.InstallMode{Install: &null}
	ModeReinstall   = mgmt.InstallMode{Reinstall: &null}
	ModeUpgrade     = UpgradeMode(nil)
	ModeUpgradeKeep = func() mgmt.InstallMode {
		return UpgradeMode(&mgmt.UpgradeOptions{WasmMemoryPersistence: &mgmt.MemoryPersistence{Keep: &null}})
	}()
)

// UpgradeMode is the upgrade mode with the given options (nil: none).
func UpgradeMode(opts *mgmt.UpgradeOptions) mgmt.InstallMode {
	return mgmt.InstallMode{Upgrade: &opts}
}
