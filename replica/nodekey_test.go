package replica_test

import (
	"bytes"
	"testing"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestNewNodeKey: NewNodeKey gives the node a fresh signing key on the same
// state — root key and canisters stay — and the new key is the one kept by
// the next start without it.
func TestNewNodeKey(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	node := func() string { p, _ := r.SignQueryResponse([32]byte{}); return p.String() }
	root, first := r.RootKey(), node()

	r.Restart(t, replica.Config{NewNodeKey: true})
	second := node()
	if second == first {
		t.Fatalf("NewNodeKey kept node %s", first)
	}
	if !bytes.Equal(r.RootKey(), root) {
		t.Fatal("NewNodeKey changed the root key")
	}
	r.Restart(t, replica.Config{})
	if got := node(); got != second {
		t.Fatalf("a restart without NewNodeKey signs as %s, want the new node %s", got, second)
	}
	// The state survived, and agent-go (verifying the new node's signature
	// against the certified node list) reads it.
	if n := get(t, r.Agent(t, nil), id); n != 1 {
		t.Fatalf("counter after the new node key: %d, want 1", n)
	}
}
