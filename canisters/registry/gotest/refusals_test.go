package gotest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
)

// fingerprint is everything the refusals must leave alone, as text.
func fingerprint(t testing.TB, w *world, subjects []string, users ...*actor) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	op := w.operator.reg
	apps, err := op.ListApps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rels, err := op.ListReleases(ctx, "personal")
	if err != nil {
		t.Fatal(err)
	}
	q, err := op.GetQuotas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "%+v\n%+v\n%+v\n", apps, rels, q)
	for _, r := range []registry.Role{registry.Operator, registry.Developer, registry.Auditor} {
		ps, err := op.ListRole(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %v\n", r, ps)
	}
	for _, u := range users {
		cs, err := u.reg.MyCanisters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			last := "none"
			if c.LastUpgrade != nil {
				last = fmt.Sprint(*c.LastUpgrade)
			}
			c.LastUpgrade = nil // a pointer: its address differs on every read
			fmt.Fprintf(&b, "%+v last upgrade %s\n", c, last)
		}
	}
	for _, s := range subjects {
		evs, err := op.History(ctx, s, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %+v\n", s, evs)
	}
	return b.String()
}

// TestRefusals: each refused call answers its error kind and changes
// nothing.
func TestRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""), personalRelease("2.0.0", ">=1.0.0 <2.0.0"), personalRelease("3.0.0", ">=2.0.0 <3.0.0"))
	revoked := personalRelease("2.0.0", ">=1.0.0 <3.0.0")
	revoked.version = "2.1.0"
	p.publish(revoked)
	mustRelease(t, "revoke", registry.Revoked)(p.dev.reg.RevokeRelease(ctx, "personal", "2.1.0", "leaks documents"))
	unreleased := personalRelease("2.0.0", ">=1.0.0 <3.0.0")
	unreleased.version = "2.2.0"
	p.upload(unreleased)
	mustRelease(t, "submit", registry.Submitted)(p.dev.reg.SubmitRelease(ctx, "personal", "2.2.0"))
	draft := registry.NewRelease{App: "personal", Version: "2.3.0", Protocol: "personal/2.0.0", UpgradeFrom: "^2.0.0"}
	chunks, err := registry.Chunk(personal.MustWasm("2.0.0"), &draft)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.dev.reg.CreateRelease(ctx, draft); err != nil {
		t.Fatal(err)
	}
	// A one-chunk release whose sha256 is not its chunk's: submit can tell.
	lying := draft
	lying.Version = "2.4.0"
	lying.SHA256 = slices.Clone(draft.SHA256)
	lying.SHA256[0] ^= 1
	if _, err := p.dev.reg.CreateRelease(ctx, lying); err != nil {
		t.Fatal(err)
	}
	if err := p.dev.reg.UploadChunk(ctx, "personal", "2.4.0", 0, chunks[0]); err != nil {
		t.Fatal(err)
	}
	// The uploader is an auditor too: still not of their own upload.
	if err := w.operator.reg.GrantRole(ctx, registry.Auditor, p.dev.principal()); err != nil {
		t.Fatal(err)
	}
	otherDev := w.withRole(registry.Developer)
	alice, bob := w.newActor(), w.newActor()
	ca, cb := install(t, alice, "1.0.0"), install(t, bob, "2.0.0")
	subjects := []string{"app:personal", "release:personal/2.2.0", "release:personal/2.3.0", "release:personal/2.4.0", "canister:" + ca.ID.String(), "canister:" + cb.ID.String()}
	before := fingerprint(t, w, subjects, alice, bob)

	upgradeErr := func(a *actor, c registry.Canister, v string) func() error {
		return func() error { _, err := a.reg.Upgrade(ctx, c.ID, v); return err }
	}
	releaseErr := func(r registry.Release, err error) error { return err }
	cases := []struct {
		what string
		call func() error
		kind registry.Kind
	}{
		{"upgrading someone else's canister", upgradeErr(bob, ca, "2.0.0"), registry.PermissionDenied},
		{"deleting someone else's canister", func() error { return bob.reg.Delete(ctx, ca.ID) }, registry.PermissionDenied},
		{"uninstalling someone else's canister", func() error { _, err := bob.reg.Uninstall(ctx, ca.ID); return err }, registry.PermissionDenied},
		{"taking someone else's canister", func() error { return bob.reg.ReleaseControl(ctx, ca.ID) }, registry.PermissionDenied},
		{"an upgrade whose upgrade_from excludes the installed version", upgradeErr(alice, ca, "3.0.0"), registry.UpgradePath},
		{"an upgrade to a revoked version", upgradeErr(alice, ca, "2.1.0"), registry.FailedPrecondition},
		{"an upgrade to an unreleased version", upgradeErr(alice, ca, "2.2.0"), registry.FailedPrecondition},
		{"an upgrade to a draft", upgradeErr(alice, ca, "2.3.0"), registry.FailedPrecondition},
		{"an upgrade to an older version", upgradeErr(bob, cb, "1.0.0"), registry.UpgradePath},
		{"an upgrade to the installed version", upgradeErr(bob, cb, "2.0.0"), registry.UpgradePath},
		{"an upgrade to an unknown version", upgradeErr(bob, cb, "9.0.0"), registry.NotFound},
		{"installing a revoked version", func() error { _, err := alice.reg.Install(ctx, "personal", "2.1.0"); return err }, registry.FailedPrecondition},
		{"installing an unreleased version", func() error { _, err := alice.reg.Install(ctx, "personal", "2.2.0"); return err }, registry.FailedPrecondition},
		{"installing an unknown app", func() error { _, err := alice.reg.Install(ctx, "nope", ""); return err }, registry.NotFound},
		{"approval by the uploader", func() error { return releaseErr(p.dev.reg.ApproveRelease(ctx, "personal", "2.2.0")) }, registry.PermissionDenied},
		{"approval by a developer who is no auditor", func() error { return releaseErr(otherDev.reg.ApproveRelease(ctx, "personal", "2.2.0")) }, registry.PermissionDenied},
		{"a rejection without a reason", func() error { return releaseErr(p.auditor.reg.RejectRelease(ctx, "personal", "2.2.0", " ")) }, registry.InvalidArgument},
		{"publishing an unapproved release", func() error { return releaseErr(p.dev.reg.PublishRelease(ctx, "personal", "2.2.0")) }, registry.FailedPrecondition},
		{"a chunk whose hash does not match", func() error {
			bad := slices.Clone(chunks[0])
			bad[len(bad)-1] ^= 1
			return p.dev.reg.UploadChunk(ctx, "personal", "2.3.0", 0, bad)
		}, registry.InvalidArgument},
		{"a chunk beyond the release's", func() error { return p.dev.reg.UploadChunk(ctx, "personal", "2.3.0", len(chunks), chunks[0]) }, registry.InvalidArgument},
		{"a chunk for a submitted release", func() error { return p.dev.reg.UploadChunk(ctx, "personal", "2.2.0", 0, chunks[0]) }, registry.FailedPrecondition},
		{"submitting a one-chunk release whose sha256 is not its chunk's", func() error { return releaseErr(p.dev.reg.SubmitRelease(ctx, "personal", "2.4.0")) }, registry.InvalidArgument},
		{"submitting with chunks missing", func() error { return releaseErr(p.dev.reg.SubmitRelease(ctx, "personal", "2.3.0")) }, registry.FailedPrecondition},
		{"a developer of another app uploading", func() error {
			return releaseErr(otherDev.reg.CreateRelease(ctx, registry.NewRelease{App: "personal", Version: "4.0.0", Protocol: "x/1", SHA256: draft.SHA256, Size: draft.Size, ChunkHashes: draft.ChunkHashes}))
		}, registry.PermissionDenied},
		{"a developer of another app uploading a chunk", func() error { return otherDev.reg.UploadChunk(ctx, "personal", "2.3.0", 0, chunks[0]) }, registry.PermissionDenied},
		{"an existing release", func() error { return releaseErr(p.dev.reg.CreateRelease(ctx, draft)) }, registry.AlreadyExists},
		{"a release with a bad version", func() error {
			bad := draft
			bad.Version = "2.4"
			return releaseErr(p.dev.reg.CreateRelease(ctx, bad))
		}, registry.InvalidArgument},
		{"a release of more than 10 chunks", func() error {
			bad := draft
			bad.Version = "2.5.0"
			bad.ChunkHashes = slices.Repeat(draft.ChunkHashes[:1], 11)
			return releaseErr(p.dev.reg.CreateRelease(ctx, bad))
		}, registry.InvalidArgument},
		{"a release larger than its chunks can hold", func() error {
			bad := draft
			bad.Version = "2.5.0"
			bad.Size = registry.MaxChunkSize + 1
			return releaseErr(p.dev.reg.CreateRelease(ctx, bad))
		}, registry.InvalidArgument},
		{"an existing app", func() error {
			_, err := p.dev.reg.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "again"})
			return err
		}, registry.AlreadyExists},
		{"an app id that is not [a-z][a-z0-9-]*", func() error {
			_, err := p.dev.reg.CreateApp(ctx, registry.NewApp{ID: "Personal", Name: "x"})
			return err
		}, registry.InvalidArgument},
		{"adding a developer who has no developer role", func() error { _, err := p.dev.reg.AddDeveloper(ctx, "personal", alice.principal()); return err }, registry.FailedPrecondition},
		{"a developer of another app adding a developer", func() error { _, err := otherDev.reg.AddDeveloper(ctx, "personal", otherDev.principal()); return err }, registry.PermissionDenied},
		{"a role granted by a non-operator", func() error { return p.dev.reg.GrantRole(ctx, registry.Auditor, otherDev.principal()) }, registry.PermissionDenied},
		{"revoking the last operator", func() error { return w.operator.reg.RevokeRole(ctx, registry.Operator, w.operator.principal()) }, registry.FailedPrecondition},
		{"quotas set by a non-operator", func() error {
			return p.dev.reg.SetQuotas(ctx, registry.Quotas{CanistersPerUser: 100, CyclesPerCanister: 1e12})
		}, registry.PermissionDenied},
		{"revoking by someone else", func() error { return releaseErr(otherDev.reg.RevokeRelease(ctx, "personal", "2.0.0", "mine now")) }, registry.PermissionDenied},
	}
	for _, c := range cases {
		e := wantKind(t, c.what, c.call(), c.kind)
		if after := fingerprint(t, w, subjects, alice, bob); after != before {
			t.Fatalf("%s (refused: %v) changed the registry:\nbefore %s\nafter  %s", c.what, e, before, after)
		}
	}

	// The refused path names the way there.
	_, err = alice.reg.Upgrade(ctx, ca.ID, "3.0.0")
	if e := wantKind(t, "excluded upgrade", err, registry.UpgradePath); e.Installed != "1.0.0" || e.Requested != "3.0.0" || !slices.Equal(e.Allowed, []string{"2.0.0"}) {
		t.Errorf("upgrade_path %+v; want 1.0.0 → 3.0.0 refused, 2.0.0 allowed", e)
	}

	// Callers without a role are refused before the registry runs.
	stranger := w.newActor()
	_, err = stranger.reg.CreateRelease(ctx, draft)
	if err == nil || !strings.Contains(err.Error(), "canister_inspect_message") {
		t.Errorf("a stranger's create_release: %v; want the inspect refusal", err)
	}
	anon, err := w.pool.For(new(identity.AnonymousIdentity))
	if err != nil {
		t.Fatal(err)
	}
	_, err = registry.New(anon, w.id).Install(ctx, "personal", "")
	if err == nil || !strings.Contains(err.Error(), "canister_inspect_message") {
		t.Errorf("an anonymous install: %v; want the inspect refusal", err)
	}
	if after := fingerprint(t, w, subjects, alice, bob); after != before {
		t.Fatalf("the inspect refusals changed the registry")
	}
}
