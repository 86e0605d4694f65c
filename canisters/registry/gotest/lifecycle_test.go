package gotest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
)

// putV1 writes documents through personal 1.0.0's put, as the owner.
func putV1(t testing.TB, a *actor, id principal.Principal, n int) {
	t.Helper()
	for i := range n {
		if err := a.agent.Call(id, "put", []any{fmt.Sprintf("doc-%d", i), []byte(fmt.Sprintf("content %d", i))}, []any{}); err != nil {
			t.Fatalf("put doc-%d: %v", i, err)
		}
	}
}

// wantDocumentsV3 reads n documents through 3.0.0's get_document.
func wantDocumentsV3(t testing.TB, a *actor, id principal.Principal, n int) {
	t.Helper()
	for i := range n {
		var doc *personal_3_0_0.Document
		if err := a.agent.Query(id, "get_document", []any{fmt.Sprintf("doc-%d", i)}, []any{&doc}); err != nil {
			t.Fatalf("get_document doc-%d: %v", i, err)
		}
		if doc == nil || !bytes.Equal(doc.Content, []byte(fmt.Sprintf("content %d", i))) {
			t.Fatalf("doc-%d after the upgrade: %+v", i, doc)
		}
	}
}

func protocolOf(t testing.TB, a *actor, id principal.Principal) string {
	t.Helper()
	var p string
	if err := a.agent.Query(id, "protocol", []any{}, []any{&p}); err != nil {
		t.Fatalf("protocol of %s: %v", id, err)
	}
	return p
}

// TestLifecycle is issue 12's first "done when": a developer uploads and
// submits, a second identity audits, the developer publishes, a plain user
// installs 1.0.0, writes documents, upgrades straight to 3.0.0 (a declared
// skip) and finds them all, with [user, registry] as controllers.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("2.0.0", ">=1.0.0 <2.0.0"))
	// 3.0.0 step by step, checking who may do what on the way.
	p.upload(personalRelease("3.0.0", ">=1.0.0 <3.0.0"))
	mustRelease(t, "submit", registry.Submitted)(p.dev.reg.SubmitRelease(ctx, "personal", "3.0.0"))
	approved := mustRelease(t, "approve", registry.Approved)(p.auditor.reg.ApproveRelease(ctx, "personal", "3.0.0"))
	if approved.Reviewer == nil || !approved.Reviewer.Equal(p.auditor.principal()) {
		t.Errorf("reviewer = %v, want the auditor", approved.Reviewer)
	}
	mustRelease(t, "publish", registry.Released)(p.dev.reg.PublishRelease(ctx, "personal", "3.0.0"))

	user := w.newActor()
	c := install(t, user, "1.0.0")
	if !c.Owner.Equal(user.principal()) || c.Version != "1.0.0" || c.State != registry.Installed || !c.Controlled {
		t.Fatalf("installed %+v", c)
	}
	if got := protocolOf(t, user, c.ID); got != "personal/1.0.0" {
		t.Fatalf("protocol %q", got)
	}
	putV1(t, user, c.ID, 5) // only the owner may put: the user is the owner

	// Both later releases admit 1.0.0; only the owner (or an operator) is told.
	if got, err := user.reg.UpgradeTargets(ctx, c.ID); err != nil || fmt.Sprint(got) != "[2.0.0 3.0.0]" {
		t.Fatalf("upgrade targets of 1.0.0 = %v, %v; want [2.0.0 3.0.0]", got, err)
	}
	if got, err := p.auditor.reg.UpgradeTargets(ctx, c.ID); err != nil || len(got) != 0 {
		t.Fatalf("upgrade targets for a stranger = %v, %v; want none", got, err)
	}
	u := upgrade(t, user, c.ID, "3.0.0")
	if u.State != registry.Done || u.FromVersion != "1.0.0" || u.ToVersion != "3.0.0" || u.FinishedAt == nil {
		t.Fatalf("upgrade %+v", u)
	}
	var states []registry.UpgradeState
	for i, s := range u.Steps {
		states = append(states, s.State)
		if i > 0 && s.At.Before(u.Steps[i-1].At) {
			t.Errorf("step %d at %v before step %d", i, s.At, i-1)
		}
	}
	want := []registry.UpgradeState{registry.Queued, registry.Stopping, registry.Snapshotting, registry.Installing, registry.Starting, registry.Checking, registry.Done}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("steps %v, want %v", states, want)
	}
	if got, err := user.reg.UpgradeTargets(ctx, c.ID); err != nil || len(got) != 0 {
		t.Fatalf("upgrade targets of 3.0.0 = %v, %v; want none", got, err)
	}
	if got := protocolOf(t, user, c.ID); got != "personal/3.0.0" {
		t.Fatalf("protocol after the upgrade %q", got)
	}
	wantDocumentsV3(t, user, c.ID, 5)

	st := status(t, user, c.ID)
	if !sameSet(st.Settings.Controllers, []principal.Principal{user.principal(), w.id}) {
		t.Errorf("controllers %v, want [user %s, registry %s]", st.Settings.Controllers, user.principal(), w.id)
	}
	if st.ModuleHash == nil || !bytes.Equal(*st.ModuleHash, moduleHash(personal.MustWasm("3.0.0"))) {
		t.Errorf("module hash is not 3.0.0's")
	}
	got, ok, err := user.reg.GetCanister(ctx, c.ID)
	if err != nil || !ok || got.Version != "3.0.0" || got.State != registry.Installed || got.LastUpgrade == nil || *got.LastUpgrade != u.ID {
		t.Errorf("get_canister %+v %v %v", got, ok, err)
	}
	mine, err := user.reg.MyCanisters(ctx)
	if err != nil || len(mine) != 1 || !mine[0].ID.Equal(c.ID) {
		t.Errorf("my_canisters %+v %v", mine, err)
	}
	// The history tells who did what.
	evs, err := user.reg.History(ctx, "canister:"+c.ID.String(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[installed upgrade_started upgraded]" {
		t.Errorf("canister history %v", actions)
	}
	if evs, _ := p.dev.reg.History(ctx, "canister:"+c.ID.String(), 0, 100); len(evs) != 0 {
		t.Errorf("a stranger read the canister's history: %v", evs)
	}
	rel, err := user.reg.History(ctx, "release:personal/3.0.0", 0, 100)
	if err != nil || len(rel) < 4 {
		t.Fatalf("release history %v %v", rel, err)
	}
}
