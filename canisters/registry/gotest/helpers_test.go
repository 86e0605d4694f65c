package gotest

import (
	"context"
	"crypto/sha256"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// registryCycles is what the test registry starts with: enough for the
// benchmarks' thousands of canisters at the default 1T each.
var registryCycles = new(big.Int).Mul(big.NewInt(1_000_000_000_000), big.NewInt(100_000))

// world is one replica with a registry installed by operator.
type world struct {
	t        testing.TB
	r        *replicatest.Replica
	pool     *ic.Pool
	id       principal.Principal // the registry
	operator *actor
}

// actor is one identity with its agent-go agent and registry client.
type actor struct {
	identity identity.Identity
	agent    *agent.Agent
	ic       *ic.Client
	reg      *registry.Client
}

func (a *actor) principal() principal.Principal { return a.identity.Sender() }

func newWorld(t testing.TB, init registry.Init) *world {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	pool, err := ic.NewPool(ic.Config{URL: r.URL, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, r: r, pool: pool}
	w.operator = w.newActor()
	w.installRegistry(init)
	return w
}

// newWorldWith is a second registry on base's replica, installed by the
// same operator.
func newWorldWith(t testing.TB, base *world, init registry.Init) *world {
	t.Helper()
	w := &world{t: t, r: base.r, pool: base.pool, operator: &actor{identity: base.operator.identity, agent: base.operator.agent, ic: base.operator.ic}}
	w.installRegistry(init)
	return w
}

func (w *world) installRegistry(init registry.Init) {
	t := w.t
	t.Helper()
	amount := idl.NewBigNat(registryCycles)
	var out mgmt.CanisterIDResult
	if err := w.operator.agent.Call(replicatest.Management, "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{Amount: &amount}}, []any{&out}); err != nil {
		t.Fatalf("create the registry's canister: %v", err)
	}
	w.id = out.CanisterID
	if err := registry.Install(t.Context(), w.operator.agent, w.id, init); err != nil {
		t.Fatal(err)
	}
	w.operator.reg = registry.New(w.operator.ic, w.id)
}

// newActor is a fresh identity with no role.
func (w *world) newActor() *actor {
	w.t.Helper()
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		w.t.Fatal(err)
	}
	c, err := w.pool.For(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return &actor{identity: id, agent: w.r.Agent(w.t, id), ic: c, reg: registry.New(c, w.id)}
}

// withRole is a fresh identity the operator granted roles.
func (w *world) withRole(roles ...registry.Role) *actor {
	w.t.Helper()
	a := w.newActor()
	for _, r := range roles {
		if err := w.operator.reg.GrantRole(w.t.Context(), r, a.principal()); err != nil {
			w.t.Fatalf("grant %s: %v", r, err)
		}
	}
	return a
}

// publisher is a developer of an app and an auditor who reviews its
// releases.
type publisher struct {
	w       *world
	app     string
	dev     *actor
	auditor *actor
}

// newPublisher creates app "personal".
func (w *world) newPublisher() *publisher { return w.newPublisherOf("personal") }

func (w *world) newPublisherOf(app string) *publisher {
	w.t.Helper()
	p := &publisher{w: w, app: app, dev: w.withRole(registry.Developer), auditor: w.withRole(registry.Auditor)}
	if _, err := p.dev.reg.CreateApp(w.t.Context(), registry.NewApp{ID: app, Name: "The " + app + " app"}); err != nil {
		w.t.Fatalf("create app %s: %v", app, err)
	}
	return p
}

// release describes one release a test publishes.
type release struct {
	version, protocol, upgradeFrom string
	module                         []byte
}

func personalRelease(v, upgradeFrom string) release {
	return release{version: v, protocol: personal.Protocol(v), upgradeFrom: upgradeFrom, module: personal.MustWasm(v)}
}

// unhealthy is a copy of personal 3.0.0 whose protocol() answers
// "personal/3.0.0-unhealthy" (canisters/test/unhealthy), released as 3.0.1.
func unhealthyRelease() release {
	return release{version: "3.0.1", protocol: "personal/3.0.1", upgradeFrom: ">=3.0.0 <3.0.1",
		module: canisters.MustWasm("test/unhealthy/canister.wasm")}
}

// upload creates a draft of rel and uploads all its chunks.
func (p *publisher) upload(rel release) {
	t := p.w.t
	t.Helper()
	nr := registry.NewRelease{App: p.app, Version: rel.version, Protocol: rel.protocol,
		Notes: "test release " + rel.version, UpgradeFrom: rel.upgradeFrom, EnhancedPersistence: true}
	var calls []int
	got, err := p.dev.reg.UploadRelease(t.Context(), nr, rel.module, func(done, total int) { calls = append(calls, done) })
	if err != nil {
		t.Fatalf("upload release %s: %v", rel.version, err)
	}
	if got.State != registry.Draft || got.ChunksReceived != got.ChunkCount || len(calls) != got.ChunkCount {
		t.Fatalf("uploaded %+v (progress %v)", got, calls)
	}
}

// publish takes rel through upload, submit, approve and publish.
func (p *publisher) publish(rels ...release) {
	t := p.w.t
	t.Helper()
	ctx := t.Context()
	for _, rel := range rels {
		p.upload(rel)
		mustRelease(t, "submit", registry.Submitted)(p.dev.reg.SubmitRelease(ctx, p.app, rel.version))
		mustRelease(t, "approve", registry.Approved)(p.auditor.reg.ApproveRelease(ctx, p.app, rel.version))
		mustRelease(t, "publish", registry.Released)(p.dev.reg.PublishRelease(ctx, p.app, rel.version))
	}
}

// mustRelease checks a release transition's outcome.
func mustRelease(t testing.TB, what string, want registry.ReleaseState) func(registry.Release, error) registry.Release {
	return func(r registry.Release, err error) registry.Release {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.State != want {
			t.Fatalf("%s: state %s, want %s", what, r.State, want)
		}
		return r
	}
}

// install installs personal version for a through the registry.
func install(t testing.TB, a *actor, version string) registry.Canister {
	t.Helper()
	return installApp(t, a, "personal", version)
}

func installApp(t testing.TB, a *actor, app, version string) registry.Canister {
	t.Helper()
	c, err := a.reg.Install(t.Context(), app, version)
	if err != nil {
		t.Fatalf("install %s %q: %v", app, version, err)
	}
	return c
}

// awaitUpgrade follows the upgrade until it has an outcome (the registry
// runs it in messages of its own after upgrade() returned), checking that
// WatchUpgrade hands over every step once and in order.
func awaitUpgrade(t testing.TB, a *actor, id uint64) registry.Upgrade {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var steps []registry.UpgradeStep
	u, err := a.reg.WatchUpgrade(ctx, id, 20*time.Millisecond, func(s registry.UpgradeStep) { steps = append(steps, s) })
	if err != nil {
		t.Fatalf("watch upgrade %d: %v", id, err)
	}
	if !slices.Equal(steps, u.Steps) {
		t.Fatalf("WatchUpgrade passed steps %+v, the upgrade has %+v", steps, u.Steps)
	}
	return u
}

// upgrade starts an upgrade and waits for its outcome.
func upgrade(t testing.TB, a *actor, id principal.Principal, version string) registry.Upgrade {
	t.Helper()
	u, err := a.reg.Upgrade(t.Context(), id, version)
	if err != nil {
		t.Fatalf("upgrade %s to %s: %v", id, version, err)
	}
	if u.State != registry.Queued {
		t.Fatalf("upgrade returned state %s, want queued", u.State)
	}
	return awaitUpgrade(t, a, u.ID)
}

// wantKind fails unless err is a registry refusal of kind.
func wantKind(t testing.TB, what string, err error, kind registry.Kind) *registry.Error {
	t.Helper()
	var e *registry.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("%s: %v; want a registry %s refusal", what, err, kind)
	}
	return e
}

// status is canister_status as a, who must control id.
func status(t testing.TB, a *actor, id principal.Principal) mgmt.CanisterStatusResult {
	t.Helper()
	var out mgmt.CanisterStatusResult
	if err := a.agent.Call(replicatest.Management, "canister_status", []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&out}); err != nil {
		t.Fatalf("canister_status %s: %v", id, err)
	}
	return out
}

func sameSet(a, b []principal.Principal) bool {
	key := func(ps []principal.Principal) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.String()
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func moduleHash(module []byte) []byte {
	sum := sha256.Sum256(module)
	return sum[:]
}
