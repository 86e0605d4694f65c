package gotest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
)

// putV3 writes n documents through personal 3.0.0's put_document.
func putV3(t testing.TB, a *actor, id principal.Principal, n int) {
	t.Helper()
	for i := range n {
		var res personal_3_0_0.PutResult
		err := a.agent.Call(id, "put_document", []any{fmt.Sprintf("doc-%d", i), []byte(fmt.Sprintf("content %d", i)), "text/plain", (*struct{})(nil)}, []any{&res})
		if err != nil || res.Ok == nil {
			t.Fatalf("put_document doc-%d: %v %+v", i, err, res.Err)
		}
	}
}

// TestRollback is issue 12's second "done when": a release whose health
// check fails is rolled back; the canister serves 3.0.0 with its data
// again, and another user's canister is untouched.
func TestRollback(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("3.0.0", ""), unhealthyRelease())
	alice, bob := w.newActor(), w.newActor()
	ca, cb := install(t, alice, "3.0.0"), install(t, bob, "3.0.0")
	putV3(t, alice, ca.ID, 3)
	putV3(t, bob, cb.ID, 2)
	bobBefore := status(t, bob, cb.ID)

	started, err := alice.reg.Upgrade(ctx, ca.ID, "3.0.1")
	if err != nil {
		t.Fatal(err)
	}
	u := awaitUpgrade(t, alice, started.ID)

	if u.State != registry.RolledBack {
		t.Fatalf("upgrade ended %s (%s), want rolled_back", u.State, u.Reason)
	}
	if !strings.Contains(u.Reason, `"personal/3.0.0-unhealthy"`) || !strings.Contains(u.Reason, `"personal/3.0.1"`) {
		t.Errorf("reason %q does not say what the health check answered and wanted", u.Reason)
	}
	last := u.Steps[len(u.Steps)-1]
	if last.State != registry.RolledBack || u.FinishedAt == nil {
		t.Errorf("last step %+v, finished %v", last, u.FinishedAt)
	}
	if got := protocolOf(t, alice, ca.ID); got != "personal/3.0.0" {
		t.Errorf("after the rollback the canister answers %q", got)
	}
	st := status(t, alice, ca.ID)
	if st.ModuleHash == nil || !bytes.Equal(*st.ModuleHash, moduleHash(personal.MustWasm("3.0.0"))) || st.Status.Running == nil {
		t.Errorf("after the rollback: running %v, module is not 3.0.0's", st.Status.Running != nil)
	}
	wantDocumentsV3(t, alice, ca.ID, 3)
	info, _, _ := alice.reg.GetCanister(ctx, ca.ID)
	if info.Version != "3.0.0" || info.State != registry.Installed {
		t.Errorf("registry says %+v", info)
	}

	// Bob's canister: same module, still running, same data.
	bobAfter := status(t, bob, cb.ID)
	if !bytes.Equal(*bobAfter.ModuleHash, *bobBefore.ModuleHash) || bobAfter.Status.Running == nil || bobAfter.Version != bobBefore.Version {
		t.Errorf("bob's canister changed: version %d → %d", bobBefore.Version, bobAfter.Version)
	}
	wantDocumentsV3(t, bob, cb.ID, 2)

	// The failed release did not break the canister for a later upgrade try.
	if u2 := upgrade(t, alice, ca.ID, "3.0.1"); u2.State != registry.RolledBack {
		t.Errorf("second try ended %s", u2.State)
	}
	wantDocumentsV3(t, alice, ca.ID, 3)
}
