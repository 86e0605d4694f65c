package gotest

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
)

// Both IC clients the gateway uses call the registry.
var (
	_ registry.Caller = (*ic.Client)(nil)
	_ registry.Caller = (*delegated.Caller)(nil)
)

// publishSplit publishes module as version in two chunks of any size,
// declaring sum as the whole module's SHA-256: with more than one chunk
// only the IC's install can tell a wrong sum.
func (p *publisher) publishSplit(version string, module, sum []byte) {
	t := p.w.t
	t.Helper()
	ctx := t.Context()
	half := len(module) / 2
	chunks := [][]byte{module[:half], module[half:]}
	nr := registry.NewRelease{App: p.app, Version: version, Protocol: "personal/3.0.0", UpgradeFrom: "^1.0.0",
		EnhancedPersistence: true, SHA256: sum, Size: uint64(len(module))}
	for _, c := range chunks {
		h := sha256.Sum256(c)
		nr.ChunkHashes = append(nr.ChunkHashes, h[:])
	}
	if _, err := p.dev.reg.CreateRelease(ctx, nr); err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks {
		if err := p.dev.reg.UploadChunk(ctx, p.app, version, i, c); err != nil {
			t.Fatal(err)
		}
	}
	mustRelease(t, "submit", registry.Submitted)(p.dev.reg.SubmitRelease(ctx, p.app, version))
	mustRelease(t, "approve", registry.Approved)(p.auditor.reg.ApproveRelease(ctx, p.app, version))
	mustRelease(t, "publish", registry.Released)(p.dev.reg.PublishRelease(ctx, p.app, version))
}

// TestBrokenModules: the IC refuses a module whose whole hash is not the
// declared one, and a module that is no wasm; an install of either leaves
// no canister behind, and an upgrade to either rolls back. The same module
// in two chunks with its true hash installs and upgrades.
func TestBrokenModules(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""))
	good := personal.MustWasm("3.0.0")
	wrongSum := sha256.Sum256([]byte("not the module"))
	p.publishSplit("3.0.0", good, wrongSum[:])
	notWasm := []byte(strings.Repeat("not a wasm module ", 1000))
	realSum := sha256.Sum256(notWasm)
	p.publishSplit("3.0.1", notWasm, realSum[:])

	user := w.newActor()
	for _, v := range []string{"3.0.0", "3.0.1"} {
		_, err := user.reg.Install(ctx, "personal", v)
		if e := wantKind(t, "installing "+v, err, registry.Internal); v == "3.0.0" && !strings.Contains(strings.ToLower(e.Message), "hash") {
			t.Errorf("the refused install of a wrong module hash does not say so: %s", e.Message)
		}
		if n := countCanisters(t, user); n != 0 {
			t.Fatalf("a failed install of %s left %d canisters", v, n)
		}
	}
	c := install(t, user, "1.0.0")
	putV1(t, user, c.ID, 2)
	for _, v := range []string{"3.0.0", "3.0.1"} {
		u := upgrade(t, user, c.ID, v)
		if u.State != registry.RolledBack || !strings.Contains(u.Reason, "install_chunked_code") {
			t.Errorf("upgrade to %s: %s (%s), want rolled_back by install_chunked_code", v, u.State, u.Reason)
		}
		if v == "3.0.0" && !strings.Contains(strings.ToLower(u.Reason), "hash") {
			t.Errorf("the rollback from a wrong module hash does not say so: %s", u.Reason)
		}
		if got := protocolOf(t, user, c.ID); got != "personal/1.0.0" {
			t.Errorf("after the rollback from %s the canister answers %q", v, got)
		}
	}
	// The same module in two chunks with its true hash installs and upgrades.
	goodSum := sha256.Sum256(good)
	p.publishSplit("3.0.2", good, goodSum[:])
	if c2 := install(t, user, "3.0.2"); protocolOf(t, user, c2.ID) != "personal/3.0.0" {
		t.Errorf("the two-chunk install does not serve 3.0.0")
	}
	if u := upgrade(t, user, c.ID, "3.0.2"); u.State != registry.Done {
		t.Fatalf("the two-chunk upgrade ended %s (%s)", u.State, u.Reason)
	}
	var doc *personal_3_0_0.Document
	if err := user.agent.Query(c.ID, "get_document", []any{"doc-1"}, []any{&doc}); err != nil || doc == nil || string(doc.Content) != "content 1" {
		t.Errorf("doc-1 after the rollbacks and the upgrade: %+v %v", doc, err)
	}
}
