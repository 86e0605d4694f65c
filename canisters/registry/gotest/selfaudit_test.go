package gotest

import (
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
)

// TestSelfAuditWaiver: a principal the install argument lists in
// self_audit (only `canistry dev` does this) may approve its own upload,
// and the history says it was a waiver; anyone else still may not.
func TestSelfAuditWaiver(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	dev := w.newActor()
	// A registry whose self_audit names dev, installed by the same operator.
	w2 := newWorldWith(t, w, registry.Init{SelfAudit: []principal.Principal{dev.principal()}})
	for _, r := range []registry.Role{registry.Developer, registry.Auditor} {
		if err := w2.operator.reg.GrantRole(ctx, r, dev.principal()); err != nil {
			t.Fatal(err)
		}
	}
	devReg := registry.New(dev.ic, w2.id)
	if _, err := devReg.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "Personal"}); err != nil {
		t.Fatal(err)
	}
	p := &publisher{w: w2, app: "personal", dev: &actor{identity: dev.identity, agent: dev.agent, ic: dev.ic, reg: devReg}}
	p.auditor = p.dev
	p.publish(personalRelease("1.0.0", ""))
	evs, err := devReg.History(ctx, "release:personal/1.0.0", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var waived bool
	for _, e := range evs {
		waived = waived || (e.Action == "approved" && strings.Contains(e.Detail, "self-audit waiver"))
	}
	if !waived {
		t.Errorf("the self-approval is not logged as a waiver: %+v", evs)
	}

	// In the first registry dev is not listed: its own approval is refused.
	for _, r := range []registry.Role{registry.Developer, registry.Auditor} {
		if err := w.operator.reg.GrantRole(ctx, r, dev.principal()); err != nil {
			t.Fatal(err)
		}
	}
	q := &publisher{w: w, app: "personal", dev: dev, auditor: dev}
	if _, err := dev.reg.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "Personal"}); err != nil {
		t.Fatal(err)
	}
	q.upload(personalRelease("1.0.0", ""))
	mustRelease(t, "submit", registry.Submitted)(dev.reg.SubmitRelease(ctx, "personal", "1.0.0"))
	_, err = dev.reg.ApproveRelease(ctx, "personal", "1.0.0")
	wantKind(t, "self-approval without the waiver", err, registry.PermissionDenied)
}
