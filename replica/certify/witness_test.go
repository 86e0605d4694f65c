package certify

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/google/go-cmp/cmp"
)

func lbl(parts ...string) Path {
	p := make(Path, len(parts))
	for i, s := range parts {
		p[i] = []byte(s)
	}
	return p
}

// sampleState is a small state tree shaped like the replica's.
func sampleState() Tree {
	var t Tree
	for _, rid := range []string{"rid-b", "rid-d", "rid-f", "rid-h"} {
		t = t.Set(lbl("request_status", rid, "status"), []byte("replied"))
		t = t.Set(lbl("request_status", rid, "reply"), []byte("DIDL\x00\x00"))
	}
	t = t.Set(lbl("canister", "c1", "module_hash"), bytes.Repeat([]byte{1}, 32))
	t = t.Set(lbl("subnet", "s1", "public_key"), []byte("key"))
	t = t.Set(lbl("subnet", "s1", "node", "n1", "public_key"), []byte("node-key"))
	t = t.Set(lbl("time"), NatValue(42))
	return t
}

func lookupType(err error) (hashtree.LookupResultType, bool) {
	var le hashtree.LookupError
	if errors.As(err, &le) {
		return le.Type, true
	}
	return 0, false
}

func TestWitnessAbsence(t *testing.T) {
	tree := sampleState()
	tests := []struct {
		name string
		path Path
	}{
		{"before first top label", lbl("aaa", "x")},
		{"between top labels", lbl("d")},
		{"after last top label", lbl("zzz")},
		{"before first nested label", lbl("request_status", "rid-a", "status")},
		{"between nested labels", lbl("request_status", "rid-c", "status")},
		{"after last nested label", lbl("request_status", "rid-z", "status")},
		{"missing leaf in existing level", lbl("request_status", "rid-d", "reject_code")},
		{"below a leaf", lbl("time", "x")},
		{"deep missing", lbl("subnet", "s1", "node", "n0", "public_key")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tree.Witness([]Path{tt.path})
			if hashtree.NewHashTree(w).Digest() != tree.RootHash() {
				t.Fatal("witness digest differs from RootHash")
			}
			_, err := hashtree.Lookup(w, toLabels(tt.path)...)
			if typ, ok := lookupType(err); !ok || typ != hashtree.LookupResultAbsent {
				t.Fatalf("Lookup(%q) = %v; want Absent", tt.path, err)
			}
		})
	}
	t.Run("empty tree", func(t *testing.T) {
		_, err := hashtree.Lookup(Tree{}.Witness([]Path{lbl("time")}), []byte("time"))
		if typ, ok := lookupType(err); !ok || typ != hashtree.LookupResultAbsent {
			t.Fatalf("Lookup on empty tree = %v; want Absent", err)
		}
	})
}

func toLabels(p Path) []hashtree.Label {
	out := make([]hashtree.Label, len(p))
	for i, l := range p {
		out[i] = l
	}
	return out
}

func TestWitnessPrunesUnrequested(t *testing.T) {
	tree := sampleState()
	w := tree.Witness([]Path{lbl("request_status", "rid-d")})
	if v, err := hashtree.Lookup(w, toLabels(lbl("request_status", "rid-d", "reply"))...); err != nil || string(v) != "DIDL\x00\x00" {
		t.Fatalf("requested subtree not revealed: %q, %v", v, err)
	}
	for _, p := range []Path{lbl("request_status", "rid-f", "status"), lbl("canister", "c1", "module_hash")} {
		_, err := hashtree.Lookup(w, toLabels(p)...)
		if typ, ok := lookupType(err); !ok || typ != hashtree.LookupResultUnknown {
			t.Fatalf("unrequested %q: %v; want Unknown (pruned)", p, err)
		}
	}
	single := Tree{}.Set(lbl("a"), []byte("v"))
	if got := single.Witness(nil); got != hashtree.Pruned(single.RootHash()) {
		t.Fatalf("witness of no paths = %v; want one Pruned root", got)
	}
}

func TestWitnessWholeSubtree(t *testing.T) {
	tree := sampleState()
	w := tree.Witness([]Path{lbl("subnet"), lbl("time")})
	sub, err := hashtree.LookupSubTree(w, []byte("subnet"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tree.Subtree(lbl("subnet"))
	if diff := cmp.Diff(want.Witness([]Path{{}}), sub); diff != "" {
		t.Fatalf("subtree not fully revealed (-want +got):\n%s", diff)
	}
	paths, err := hashtree.AllPaths(sub)
	if err != nil || len(paths) != 2 {
		t.Fatalf("AllPaths under /subnet = %v, %v; want 2 leaves", paths, err)
	}
}

// TestWitnessRandom checks lookups of many present and absent paths, alone and merged.
func TestWitnessRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tree Tree
	m := model{}
	for i := range 400 {
		p := lbl("request_status", fmt.Sprintf("r%03d", rng.IntN(300)), []string{"status", "reply", "reject_code"}[rng.IntN(3)])
		if i%5 == 0 {
			p = lbl("canister", fmt.Sprintf("c%02d", rng.IntN(40)), "module_hash")
		}
		v := []byte(fmt.Sprint("v", i))
		tree = tree.Set(p, v)
		m.set(p, v)
	}
	var queries []Path
	for range 60 {
		queries = append(queries, lbl("request_status", fmt.Sprintf("r%03d", rng.IntN(320)), []string{"status", "reply", "reject_code", "zz"}[rng.IntN(4)]))
		queries = append(queries, lbl("canister", fmt.Sprintf("c%02d", rng.IntN(45)), "module_hash"))
	}
	check := func(t *testing.T, w hashtree.Node, q Path) {
		t.Helper()
		got, err := hashtree.Lookup(w, toLabels(q)...)
		if want, ok := m.get(q); ok {
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Lookup(%q) = %q, %v; want %q", q, got, err, want)
			}
			return
		}
		if typ, ok := lookupType(err); !ok || typ != hashtree.LookupResultAbsent {
			t.Fatalf("Lookup(%q) = %v; want Absent", q, err)
		}
	}
	for _, q := range queries {
		w := tree.Witness([]Path{q})
		if hashtree.NewHashTree(w).Digest() != tree.RootHash() {
			t.Fatal("single-path witness digest differs")
		}
		check(t, w, q)
	}
	merged := tree.Witness(queries)
	if hashtree.NewHashTree(merged).Digest() != tree.RootHash() {
		t.Fatal("merged witness digest differs")
	}
	for _, q := range queries {
		check(t, merged, q)
	}
}

func TestWitnessSerializesToSpecCBOR(t *testing.T) {
	tree := sampleState().Set(lbl("", "empty-value"), nil)
	w := tree.Witness([]Path{lbl("request_status", "rid-c"), lbl(""), lbl("time")})
	b, err := hashtree.Serialize(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := hashtree.Deserialize(b)
	if err != nil {
		t.Fatalf("witness does not round-trip through CBOR (nil label or leaf?): %v", err)
	}
	if back.Reconstruct() != tree.RootHash() {
		t.Fatal("decoded witness has a different digest")
	}
	if v, err := hashtree.Lookup(back, []byte(""), []byte("empty-value")); err != nil || v == nil || len(v) != 0 {
		t.Fatalf("empty label / empty leaf lost: %q, %v", v, err)
	}
}
