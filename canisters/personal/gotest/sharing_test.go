package gotest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

func describeGrants(grants []Grant) string {
	parts := make([]string, len(grants))
	for i, g := range grants {
		parts[i] = g.Peer.String() + ":" + g.Prefix
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestV3Sharing: grant and revoke, peer_get_document only for a granted
// peer canister and only under a granted prefix, read_shared as the
// reader's side of it.
func TestV3Sharing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	sharer, reader, outsider := e.install(v3), e.install(v3), e.install(v3)
	d := docs{t, a, sharer}
	d.mustPut("notes/1", "shared note")
	d.mustPut("private/1", "private")

	if got := mustQuery[[]Grant](t, a, sharer, "grants"); len(got) != 0 {
		t.Fatalf("grants of a new canister = %s", describeGrants(got))
	}
	readShared := func(who principal.Principal, key string) (*Document, error) {
		return call[*Document](a, who, "read_shared", sharer, key)
	}
	_, err := readShared(reader, "notes/1")
	wantErr(t, "read_shared before any grant", err,
		"personal/3.0.0: peer "+sharer.String()+" refused peer_get_document",
		"caller "+reader.String()+` has no grant covering key "notes/1"`)

	before := nowNanos()
	for range 2 { // granting again is a no-op
		if got := describeUnit(mustCall[UnitResult](t, a, sharer, "grant", reader, "notes/")); got != "ok" {
			t.Fatalf("grant = %s", got)
		}
	}
	grants := mustQuery[[]Grant](t, a, sharer, "grants")
	if len(grants) != 1 || grants[0].Peer.String() != reader.String() || grants[0].Prefix != "notes/" {
		t.Fatalf("grants = %s, want one for %s on notes/", describeGrants(grants), reader)
	}
	if at := grants[0].GrantedAt.BigInt().Int64(); at < before-5e9 || at > nowNanos()+5e9 {
		t.Fatalf("granted_at %d is not the grant time", at)
	}

	doc, err := readShared(reader, "notes/1")
	if err != nil || doc == nil || string(doc.Content) != "shared note" || doc.Key != "notes/1" {
		t.Fatalf("read_shared(notes/1) = %+v, %v", doc, err)
	}
	if doc, err := readShared(reader, "notes/missing"); err != nil || doc != nil {
		t.Fatalf("read_shared of a missing granted key = %+v, %v; want null", doc, err)
	}
	_, err = readShared(reader, "private/1")
	wantErr(t, "read_shared outside the granted prefix", err, `has no grant covering key "private/1"`)
	_, err = readShared(outsider, "notes/1")
	wantErr(t, "read_shared by a canister without a grant", err, "caller "+outsider.String()+` has no grant covering key "notes/1"`)
	// A peer on 1.0.0 or 2.0.0 has no peer_get_document: a reject, not a null.
	for _, version := range []string{v1, v2} {
		old := e.install(version)
		_, err := call[*Document](a, reader, "read_shared", old, "notes/1")
		wantErr(t, "read_shared from a personal/"+version+" peer", err, "peer "+old.String()+" refused peer_get_document")
	}
	// Users never read through peer_get_document, not even the owner.
	for _, user := range []struct {
		name string
		call func() error
	}{
		{"owner", func() error { _, err := query[*Document](a, sharer, "peer_get_document", "notes/1"); return err }},
		{"stranger", func() error {
			_, err := query[*Document](e.stranger, sharer, "peer_get_document", "notes/1")
			return err
		}},
	} {
		wantErr(t, user.name+" peer_get_document", user.call(), "has no grant covering key")
	}
	// A prefix "" shares everything with that peer.
	relay := e.installRelay()
	_, err = relayed[*Document](a, relay, sharer, "peer_get_document", "private/1")
	wantErr(t, "peer_get_document from an ungranted canister", err, "caller "+relay.String()+" has no grant")
	if got := describeUnit(mustCall[UnitResult](t, a, sharer, "grant", relay, "")); got != "ok" {
		t.Fatalf("grant everything = %s", got)
	}
	if doc, err := relayed[*Document](a, relay, sharer, "peer_get_document", "private/1"); err != nil || doc == nil || string(doc.Content) != "private" {
		t.Fatalf("peer_get_document with an empty-prefix grant = %+v, %v", doc, err)
	}

	revokes := []struct {
		peer   principal.Principal
		prefix string
		want   string
	}{
		{reader, "notes", "not_found"}, // grants are exact (peer, prefix) pairs
		{reader, "notes/", "ok"},
		{reader, "notes/", "not_found"},
		{relay, "", "ok"},
	}
	for _, r := range revokes {
		if got := describeUnit(mustCall[UnitResult](t, a, sharer, "revoke", r.peer, r.prefix)); got != r.want {
			t.Fatalf("revoke(%s, %q) = %s, want %s", r.peer, r.prefix, got, r.want)
		}
	}
	_, err = readShared(reader, "notes/1")
	wantErr(t, "read_shared after revoke", err, "has no grant covering key")
	if got := mustQuery[[]Grant](t, a, sharer, "grants"); len(got) != 0 {
		t.Fatalf("grants after revoking all = %s", describeGrants(got))
	}
}

// TestV3GrantLimits: peers must be canisters, the prefix is bounded and at
// most 256 grants exist.
func TestV3GrantLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	id := e.install(v3)
	invalid := []struct {
		name   string
		peer   principal.Principal
		prefix string
		want   string
	}{
		{"user principal", a.Sender(), "x", "invalid peer must be a canister principal"},
		{"anonymous principal", principal.AnonymousID, "x", "invalid peer must be a canister principal"},
		{"prefix of 257 bytes", canisterID(1), strings.Repeat("p", 257), "invalid prefix is 257 bytes; the limit is 256"},
	}
	for _, tt := range invalid {
		if got := describeUnit(mustCall[UnitResult](t, a, id, "grant", tt.peer, tt.prefix)); got != tt.want {
			t.Errorf("grant to %s = %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := describeUnit(mustCall[UnitResult](t, a, id, "grant", canisterID(1), strings.Repeat("p", 256))); got != "ok" {
		t.Fatalf("grant with a 256-byte prefix = %s", got)
	}
	inParallel(t, 255, func(i int) error {
		n := uint64(i + 2)
		r, err := call[UnitResult](a, id, "grant", canisterID(n), "p/")
		if err == nil && r.Ok == nil {
			err = fmt.Errorf("%s", describeUnit(r))
		}
		if err != nil {
			return fmt.Errorf("grant #%d: %w", n, err)
		}
		return nil
	})
	if got := mustQuery[[]Grant](t, a, id, "grants"); len(got) != 256 {
		t.Fatalf("%d grants, want 256", len(got))
	}
	if got := describeUnit(mustCall[UnitResult](t, a, id, "grant", canisterID(300), "p/")); got != "invalid too many grants: revoke one first" {
		t.Fatalf("grant #257 = %s", got)
	}
	if got := describeUnit(mustCall[UnitResult](t, a, id, "grant", canisterID(2), "p/")); got != "ok" {
		t.Fatalf("repeating an existing grant at the limit = %s, want ok (no-op)", got)
	}
}

// canisterID is a canister principal (8-byte index, then 0x01 0x01) that
// need not exist: grants name peers without calling them.
func canisterID(n uint64) principal.Principal {
	raw := make([]byte, 10)
	for i := range 8 {
		raw[7-i] = byte(n >> (8 * i))
	}
	raw[8], raw[9] = 1, 1
	return principal.Principal{Raw: raw}
}

// TestV3SharingStrangers: a stranger's ingress updates are refused by
// inspect, queries reject, and a non-owner canister gets #unauthorized.
func TestV3SharingStrangers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.install(v3)
	peer := canisterID(42)
	s := e.stranger
	_, err := call[UnitResult](s, id, "grant", peer, "")
	wantErr(t, "stranger grant", err, inspectRefused)
	_, err = call[UnitResult](s, id, "revoke", peer, "")
	wantErr(t, "stranger revoke", err, inspectRefused)
	_, err = call[*Document](s, id, "read_shared", peer, "k")
	wantErr(t, "stranger read_shared", err, inspectRefused)
	_, err = query[[]Grant](s, id, "grants")
	wantErr(t, "stranger grants", err, notOwner)

	relay := e.installRelay()
	for _, method := range []string{"grant", "revoke"} {
		r, err := relayed[UnitResult](s, relay, id, method, relay, "")
		if err != nil || describeUnit(r) != "unauthorized" {
			t.Fatalf("%s from a canister = %s, %v; want unauthorized", method, describeUnit(r), err)
		}
	}
	_, err = relayed[*Document](s, relay, id, "read_shared", peer, "k")
	wantErr(t, "read_shared from a canister", err, "caller "+relay.String()+" "+notOwner)
	if got := mustQuery[[]Grant](t, e.owner, id, "grants"); len(got) != 0 {
		t.Fatalf("grants after strangers' attempts = %s", describeGrants(got))
	}
}
