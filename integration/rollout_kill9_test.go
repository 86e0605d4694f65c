package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// rolloutWorld is the registry on a replica process, as op (its operator,
// developer and self-auditing auditor) and owner (of the fleet).
type rolloutWorld struct {
	p         *replicaProcess
	op, owner identity.Identity
	id        principal.Principal
}

func (w *rolloutWorld) client(t *testing.T, who identity.Identity) *registry.Client {
	t.Helper()
	pool, err := ic.NewPool(ic.Config{URL: w.p.URL, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := pool.For(who)
	if err != nil {
		t.Fatal(err)
	}
	return registry.New(c, w.id)
}

func (w *rolloutWorld) publish(t *testing.T, version, protocol, from string, module []byte) {
	t.Helper()
	ctx, reg := t.Context(), w.client(t, w.op)
	nr := registry.NewRelease{App: "personal", Version: version, Protocol: protocol, UpgradeFrom: from, EnhancedPersistence: true}
	if _, err := reg.UploadRelease(ctx, nr, module, nil); err != nil {
		t.Fatalf("upload %s: %v", version, err)
	}
	for _, step := range []func(context.Context, string, string) (registry.Release, error){reg.SubmitRelease, reg.ApproveRelease, reg.PublishRelease} {
		if _, err := step(ctx, "personal", version); err != nil {
			t.Fatalf("release %s: %v", version, err)
		}
	}
}

// TestRolloutSurvivesKill9: the replica is SIGKILLed while a rollout's
// upgrades are in flight (canisters stopping, snapshotting, installing);
// restarted on the same state, the registry's persisted calls and timers
// carry the rollout to done, and no canister is left stopped or
// half-upgraded: each runs 3.0.1, its upgrade done, with its documents.
func TestRolloutSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	w := &rolloutWorld{p: startReplica(t, dir)}
	w.op, _ = identity.NewRandomEd25519Identity()
	w.owner, _ = identity.NewRandomEd25519Identity()
	ctx := t.Context()
	a := w.p.agent(t, w.op)
	var err error
	if w.id, err = replicatest.CreateWith(a, 1_000_000_000_000_000); err != nil {
		t.Fatal(err)
	}
	if err := registry.Install(ctx, a, w.id, registry.Init{SelfAudit: []principal.Principal{w.op.Sender()}}); err != nil {
		t.Fatal(err)
	}
	reg := w.client(t, w.op)
	for _, r := range []registry.Role{registry.Developer, registry.Auditor} {
		if err := reg.GrantRole(ctx, r, w.op.Sender()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "Personal"}); err != nil {
		t.Fatal(err)
	}
	if err := reg.SetQuotas(ctx, registry.Quotas{CanistersPerUser: 100, CreationsPerUserDay: 100, CreationsPerHour: 1000, CyclesPerCanister: 1_000_000_000_000}); err != nil {
		t.Fatal(err)
	}
	w.publish(t, "3.0.0", "personal/3.0.0", "", personal.MustWasm("3.0.0"))
	const n = 30
	mine := w.client(t, w.owner)
	ownerAgent := w.p.agent(t, w.owner)
	ids := make([]principal.Principal, n)
	for i := range ids {
		c, err := mine.Install(ctx, "personal", "3.0.0")
		if err != nil {
			t.Fatal(err)
		}
		if err := mine.SetPolicy(ctx, c.ID, registry.UpgradePolicy{Kind: registry.Patch}); err != nil {
			t.Fatal(err)
		}
		putDocument(t, ownerAgent, c.ID)
		ids[i] = c.ID
	}
	next := canisters.MustWasm("test/personal-next/canister.wasm")
	w.publish(t, "3.0.1", "personal/3.0.1", "=3.0.0", next)

	r, err := reg.StartRollout(ctx, registry.NewRollout{App: "personal", Version: "3.0.1", CanaryPercent: 10, BatchSize: 10,
		MaxFailures: registry.FailureLimit{N: 0}})
	if err != nil {
		t.Fatal(err)
	}
	// Kill once the canary is through, a batch is under way and one of its
	// canisters is stopped (for its snapshot or its install): upgrade ids
	// are the registry's sequence, 1 to n here.
	var seen registry.Rollout
	var caught registry.Upgrade
	testwait.For(t, time.Minute, "an upgrade of a batch after the canary with its canister stopped", func() bool {
		seen, _, _ = reg.GetRollout(ctx, r.ID)
		if seen.State.Final() {
			return true
		}
		for uid := seen.Done + 1; seen.Batches >= 2 && uid <= n; uid++ {
			if u, ok, _ := reg.GetUpgrade(ctx, uid); ok && (u.State == registry.Snapshotting || u.State == registry.Installing) {
				caught = u
				return true
			}
		}
		return false
	})
	if seen.State.Final() {
		t.Fatalf("the rollout ended before the kill: %+v", seen)
	}
	w.p.kill()
	t.Logf("killed with %d done, %d in progress, %d pending; %s %s", seen.Done, seen.InProgress, seen.Pending, caught.CanisterID, caught.State)

	w.p = startReplica(t, dir)
	reg, mine = w.client(t, w.op), w.client(t, w.owner)
	ownerAgent = w.p.agent(t, w.owner)
	var end registry.Rollout
	testwait.For(t, 3*time.Minute, "the rollout to finish after the restart", func() bool {
		end, _, _ = reg.GetRollout(ctx, r.ID)
		return end.State.Final() && end.InProgress == 0
	})
	if end.State != registry.RolloutDone || end.Done != n || end.Done+end.RolledBack+end.Failed+end.Skipped != end.Total {
		t.Fatalf("after the restart the rollout ended %+v", end)
	}
	hash := sha256.Sum256(next)
	for i, id := range ids {
		c, _, err := mine.GetCanister(ctx, id)
		if err != nil || c.State != registry.Installed || c.Version != "3.0.1" || c.LastUpgrade == nil {
			t.Fatalf("canister %d: %+v %v", i, c, err)
		}
		if u, _, err := mine.GetUpgrade(ctx, *c.LastUpgrade); err != nil || u.State != registry.Done {
			t.Errorf("canister %d: its upgrade %+v %v", i, u, err)
		}
		if st := canisterStatus(t, ownerAgent, id); st.Status.Running == nil || st.ModuleHash == nil || !bytes.Equal(*st.ModuleHash, hash[:]) {
			t.Errorf("canister %d: running %v, module is not 3.0.1's", i, st.Status.Running != nil)
		}
		wantDocument(t, ownerAgent, id)
	}
}

func canisterStatus(t *testing.T, a *agent.Agent, id principal.Principal) mgmt.CanisterStatusResult {
	t.Helper()
	var st mgmt.CanisterStatusResult
	if err := a.Call(replicatest.Management, "canister_status", []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&st}); err != nil {
		t.Fatalf("canister_status %s: %v", id, err)
	}
	return st
}

func putDocument(t *testing.T, a *agent.Agent, id principal.Principal) {
	t.Helper()
	var res personal_3_0_0.PutResult
	err := a.Call(id, "put_document", []any{"note", []byte("written before the rollout"), "text/plain", (*idl.Nat)(nil)}, []any{&res})
	if err != nil || res.Ok == nil {
		t.Fatalf("put_document on %s: %v %+v", id, err, res.Err)
	}
}

func wantDocument(t *testing.T, a *agent.Agent, id principal.Principal) {
	t.Helper()
	var doc *personal_3_0_0.Document
	if err := a.Query(id, "get_document", []any{"note"}, []any{&doc}); err != nil || doc == nil || string(doc.Content) != "written before the rollout" {
		t.Errorf("the note of %s after the rollout: %+v %v", id, doc, err)
	}
}
