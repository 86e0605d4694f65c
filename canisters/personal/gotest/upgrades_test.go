package gotest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"

	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// allDocuments lists every document of a 2.0.0 or 3.0.0 canister.
func allDocuments(t testing.TB, e *env, id principal.Principal) []Document {
	t.Helper()
	return docs{t, e.owner, id}.listAll("", 100)
}

// v1Values are 1.0.0 entries that exercise the migration: binary, empty,
// non-ASCII keys, and a full 1 MiB value.
func v1Values() map[string][]byte {
	return map[string][]byte{
		"notes/1": []byte("first"),
		"notes/2": []byte("second"),
		"binary":  {0, 255, 0, 1},
		"empty":   {},
		"ключ/ü":  []byte("unicode key"),
		"large":   bytes.Repeat([]byte{0xab}, 1<<20),
	}
}

func putV1Values(t testing.TB, e *env, id principal.Principal, values map[string][]byte) {
	t.Helper()
	for k, v := range values {
		if err := callUnit(e.owner, id, "put", k, v); err != nil {
			t.Fatalf("put(%q): %v", k, err)
		}
	}
}

// checkMigrated asserts that documents hold exactly values, each as the
// README says: revision 1, application/octet-stream, updated_at = the upgrade time.
func checkMigrated(t testing.TB, documents []Document, values map[string][]byte, upgradeStart, upgradeEnd int64) {
	t.Helper()
	want := make([]string, 0, len(values))
	for k := range values {
		want = append(want, k)
	}
	slices.Sort(want)
	if got := keysOf(documents); !slices.Equal(got, want) {
		t.Fatalf("migrated keys = %q, want %q", got, want)
	}
	for _, doc := range documents {
		if !bytes.Equal(doc.Content, values[doc.Key]) {
			t.Errorf("%q: content of %d bytes differs from the 1.0.0 value (%d bytes)", doc.Key, len(doc.Content), len(values[doc.Key]))
		}
		if doc.ContentType != migratedType || u64(doc.Revision) != 1 {
			t.Errorf("%q: content_type %q revision %s; want %s and 1", doc.Key, doc.ContentType, doc.Revision.BigInt(), migratedType)
		}
		if at := doc.UpdatedAt.BigInt().Int64(); at < upgradeStart-5e9 || at > upgradeEnd+5e9 {
			t.Errorf("%q: updated_at %d is not the upgrade time (%d..%d)", doc.Key, at, upgradeStart, upgradeEnd)
		}
	}
}

// TestUpgradeFrom1 covers 1→2 (then 2→3) and 1→3: every value becomes a
// document, the 1.0.0 methods are gone and the documents are writable.
func TestUpgradeFrom1(t *testing.T) {
	t.Parallel()
	paths := []struct {
		name  string
		steps []string // versions after 1.0.0
	}{
		{"1.0.0→2.0.0→3.0.0", []string{v2, v3}},
		{"1.0.0→1.0.0→3.0.0", []string{v1, v3}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.install(v1)
			values := v1Values()
			putV1Values(t, e, id, values)

			start := nowNanos()
			e.mustUpgrade(id, p.steps[0])
			end := nowNanos()
			if p.steps[0] == v1 {
				if got := mustQuery[[]string](t, e.owner, id, "keys"); len(got) != len(values) {
					t.Fatalf("1.0.0→1.0.0 kept %d keys of %d", len(got), len(values))
				}
				start = nowNanos()
				e.mustUpgrade(id, p.steps[1])
				end = nowNanos()
			}
			migrated := allDocuments(t, e, id)
			checkMigrated(t, migrated, values, start, end)
			if p.steps[0] == v2 {
				e.mustUpgrade(id, v3)
				if diff := cmp.Diff(migrated, allDocuments(t, e, id), cmp.Comparer(natEqual), cmp.Comparer(intEqual)); diff != "" {
					t.Fatalf("2.0.0→3.0.0 changed the migrated documents (-2.0.0 +3.0.0):\n%s", diff)
				}
			}
			if got := protocolOf(t, e.owner, id); got != "personal/3.0.0" {
				t.Fatalf("protocol = %q", got)
			}
			// Motoko's inspect refuses an unknown update method; the replica
			// answers an unknown query method itself.
			err := callUnit(e.owner, id, "put", "notes/3", []byte("x"))
			wantErr(t, "1.0.0 put after the upgrade", err, "canister_inspect_message implicitly refused message")
			_, err = query[[]string](e.owner, id, "keys")
			wantErr(t, "1.0.0 keys after the upgrade", err, "has no query method 'keys'")
			d := docs{t, e.owner, id}
			if got := describePut(d.put("notes/1", []byte("edited"), "text/plain", optNat(1))); got != "ok rev 2" {
				t.Fatalf("edit a migrated document = %s", got)
			}
			// The store drained into documents: one more same-version upgrade migrates nothing again.
			e.mustUpgrade(id, v3)
			if doc := d.get("notes/1"); doc == nil || u64(doc.Revision) != 2 || string(doc.Content) != "edited" {
				t.Fatalf("after 3.0.0→3.0.0 notes/1 = %+v", doc)
			}
		})
	}
}

// TestUpgrade2To3 keeps every document exactly (revision, type, time) and
// starts 3.0.0 with no grants, inbox or outbox.
func TestUpgrade2To3(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.install(v2)
	d := docs{t, e.owner, id}
	d.mustPut("a", "one")
	d.mustPut("b", "two")
	d.mustPut("b", "two, edited")
	if r := d.put("c", []byte{0, 1}, "image/png", noNat); r.Ok == nil {
		t.Fatal(describePut(r))
	}
	e.mustUpgrade(id, v2) // same version first
	before := allDocuments(t, e, id)
	e.mustUpgrade(id, v3)
	after := allDocuments(t, e, id)
	if diff := cmp.Diff(before, after, cmp.Comparer(natEqual), cmp.Comparer(intEqual)); diff != "" {
		t.Fatalf("2.0.0→3.0.0 changed documents (-before +after):\n%s", diff)
	}
	if len(after) != 3 || u64(after[1].Revision) != 2 || after[2].ContentType != "image/png" {
		t.Fatalf("documents after the upgrade = %+v", after)
	}
	if g := mustQuery[[]Grant](t, e.owner, id, "grants"); len(g) != 0 {
		t.Fatalf("grants after 2.0.0→3.0.0 = %s", describeGrants(g))
	}
	if o := outbox(t, e.owner, id); len(o) != 0 {
		t.Fatalf("outbox after 2.0.0→3.0.0 holds %d", len(o))
	}
	if i := inbox(t, e.owner, id); len(i) != 0 {
		t.Fatalf("inbox after 2.0.0→3.0.0 holds %d", len(i))
	}
}

// TestUpgrade3To3KeepsEverything: documents, grants, inbox and outbox
// survive a same-version upgrade; the upgrade argument's owner is ignored.
func TestUpgrade3To3KeepsEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	id, old := e.install(v3), e.install(v1)
	d := docs{t, a, id}
	d.mustPut("doc", "kept")
	peer := canisterID(7)
	mustCall[UnitResult](t, a, id, "grant", peer, "doc")
	relay := e.installRelay()
	if r, err := relayed[DeliverResult](a, relay, id, "deliver", Envelope{Id: nat(1), Body: "in", SentAt: intOf(1)}); err != nil || r.Ok == nil {
		t.Fatalf("deliver = %s, %v", describeDeliver(r), err)
	}
	if r := send(t, a, id, old, "out"); r.Queued == nil {
		t.Fatalf("send to 1.0.0 = %s", describeSend(r))
	}

	// The stranger as the argument's owner: ignored on upgrade.
	if err := replicatest.Install(a, id, wasmOf(v3), initArg(t, e.stranger.Sender()), replicatest.ModeUpgradeKeep); err != nil {
		t.Fatalf("upgrade 3.0.0→3.0.0: %v", err)
	}
	if doc := d.get("doc"); doc == nil || string(doc.Content) != "kept" {
		t.Fatalf("document after the upgrade = %+v", doc)
	}
	if g := mustQuery[[]Grant](t, a, id, "grants"); len(g) != 1 || g[0].Peer.String() != peer.String() || g[0].Prefix != "doc" {
		t.Fatalf("grants after the upgrade = %s", describeGrants(g))
	}
	if got := bodiesOf(inbox(t, a, id)); !slices.Equal(got, []string{"in"}) {
		t.Fatalf("inbox after the upgrade = %q", got)
	}
	if o := outbox(t, a, id); len(o) != 1 || o[0].Body != "out" || u64(o[0].Attempts) != 1 {
		t.Fatalf("outbox after the upgrade = %+v", o)
	}
	_, err := query[*Document](e.stranger, id, "get_document", "doc")
	wantErr(t, "the upgrade argument's owner reads", err, notOwner)
	// The message id counter survived too: the next send gets id 1.
	if r := send(t, a, id, old, "out 2"); r.Queued == nil || u64(r.Queued.Id) != 1 {
		t.Fatalf("send after the upgrade = %s, want queued id 1", describeSend(r))
	}
}

// TestDowngradeRefused: each downgrade fails, atomically: the newer code
// keeps running (same module hash) with its data and keeps accepting writes.
func TestDowngradeRefused(t *testing.T) {
	t.Parallel()
	tests := []struct{ from, to string }{
		{v2, v1},
		{v3, v2},
		{v3, v1},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.install(v1)
			putV1Values(t, e, id, map[string][]byte{"old": []byte("from 1.0.0")})
			if tt.from == v3 {
				e.mustUpgrade(id, v2) // the real path: 1.0.0 → 2.0.0 → 3.0.0
			}
			e.mustUpgrade(id, tt.from)
			d := docs{t, e.owner, id}
			d.mustPut("new", "from "+tt.from)
			if tt.from == v3 {
				mustCall[UnitResult](t, e.owner, id, "grant", canisterID(3), "new")
			}
			before := allDocuments(t, e, id)

			err := e.upgrade(id, tt.to)
			wantErr(t, "downgrade", err, incompatibleEOP)

			if got := protocolOf(t, e.owner, id); got != "personal/"+tt.from {
				t.Fatalf("protocol after the refused downgrade = %q", got)
			}
			hash, err := e.owner.GetCanisterModuleHash(id)
			if want := sha256.Sum256(wasmOf(tt.from)); err != nil || !bytes.Equal(hash, want[:]) {
				t.Fatalf("module hash = %x, %v; want personal/%s's %x", hash, err, tt.from, want)
			}
			if diff := cmp.Diff(before, allDocuments(t, e, id), cmp.Comparer(natEqual), cmp.Comparer(intEqual)); diff != "" {
				t.Fatalf("documents changed by the refused downgrade:\n%s", diff)
			}
			if tt.from == v3 {
				if g := mustQuery[[]Grant](t, e.owner, id, "grants"); len(g) != 1 {
					t.Fatalf("grants after the refused downgrade = %s", describeGrants(g))
				}
			}
			if got := describePut(d.put("new", []byte("after"), "text/plain", optNat(1))); got != "ok rev 2" {
				t.Fatalf("write after the refused downgrade = %s", got)
			}
		})
	}
}

// TestUpgradeArguments: an upgrade without the owner record or without
// wasm_memory_persistence = keep fails and leaves the canister serving.
func TestUpgradeArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, version := range []string{v1, v2, v3} {
		id := e.install(version)
		tests := []struct {
			name string
			arg  []byte
			mode mgmt.InstallMode
			want string
		}{
			{"an empty argument", nil, replicatest.ModeUpgradeKeep, "IDL error"},
			{"no wasm_memory_persistence", initArg(t, e.owner.Sender()), replicatest.ModeUpgrade, "wasm_memory_persistence"},
		}
		for _, tt := range tests {
			err := replicatest.Install(e.owner, id, wasmOf(version), tt.arg, tt.mode)
			wantErr(t, fmt.Sprintf("upgrade personal/%s with %s", version, tt.name), err, tt.want)
		}
		if got := protocolOf(t, e.owner, id); got != "personal/"+version {
			t.Fatalf("protocol after refused upgrades = %q", got)
		}
	}
}
