package certify

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomPath draws short paths over a tiny alphabet (including the empty label) so that updates
// collide, overwrite leaves with levels and vice versa, and empty levels appear and vanish.
func randomPath(rng *rand.Rand) Path {
	labels := []string{"", "a", "b", "ba", "c", "time", "\x00", "\xff"}
	p := make(Path, 1+rng.IntN(3))
	for i := range p {
		p[i] = []byte(labels[rng.IntN(len(labels))])
	}
	return p
}

type snapshot struct {
	tree     Tree
	model    model
	rootHash [32]byte
}

// TestTreeMatchesModel applies random Set/Delete sequences to the tree and to the naive model and
// compares contents after every step, then checks that no old version changed.
func TestTreeMatchesModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			var tree Tree
			m := model{}
			var history []snapshot
			for step := range 300 {
				p := randomPath(rng)
				if rng.IntN(3) == 0 {
					tree, _ = tree.Delete(p), m.remove(p)
				} else {
					v := []byte(fmt.Sprint("v", step))
					tree = tree.Set(p, v)
					m.set(p, v)
				}
				assertMatchesModel(t, tree, m)
				history = append(history, snapshot{tree, m.clone(), tree.RootHash()})
			}
			for i, s := range history {
				if s.tree.RootHash() != s.rootHash {
					t.Fatalf("version %d: root hash changed after later updates", i)
				}
				assertMatchesModel(t, s.tree, s.model)
			}
		})
	}
}

// TestTreeContentsIndependentOfInsertionOrder inserts the same entries in two orders. The shapes
// (and so the root hashes) may differ, the contents must not.
func TestTreeContentsIndependentOfInsertionOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var paths []Path
	m := model{}
	for i := range 500 {
		p := Path{[]byte("request_status"), []byte(fmt.Sprint(i)), []byte("status")}
		paths = append(paths, p)
		m.set(p, []byte("replied"))
	}
	var forward, shuffled Tree
	for _, p := range paths {
		forward = forward.Set(p, []byte("replied"))
	}
	rng.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	for _, p := range paths {
		shuffled = shuffled.Set(p, []byte("replied"))
	}
	assertMatchesModel(t, forward, m)
	assertMatchesModel(t, shuffled, m)
}

func TestTreeOperations(t *testing.T) {
	base := Tree{}.
		Set(Path{[]byte("canister"), []byte("c1"), []byte("module_hash")}, []byte("h1")).
		Set(Path{[]byte("canister"), []byte("c1"), []byte("controllers")}, []byte("ctl")).
		Set(Path{[]byte("time")}, NatValue(5))
	canister := Tree{}.Set(Path{[]byte("module_hash")}, []byte("h2"))

	tests := []struct {
		name     string
		apply    func(Tree) Tree
		path     Path
		want     []byte
		wantOK   bool
		wantTops []string
	}{
		{"get existing", func(t Tree) Tree { return t }, Path{[]byte("canister"), []byte("c1"), []byte("module_hash")}, []byte("h1"), true, []string{"canister", "time"}},
		{"get level is not a leaf", func(t Tree) Tree { return t }, Path{[]byte("canister"), []byte("c1")}, nil, false, []string{"canister", "time"}},
		{"get below a leaf", func(t Tree) Tree { return t }, Path{[]byte("time"), []byte("x")}, nil, false, []string{"canister", "time"}},
		{"empty path set is a no-op", func(t Tree) Tree { return t.Set(nil, []byte("x")) }, Path{[]byte("time")}, NatValue(5), true, []string{"canister", "time"}},
		{"delete leaf keeps siblings", func(t Tree) Tree { return t.Delete(Path{[]byte("canister"), []byte("c1"), []byte("controllers")}) }, Path{[]byte("canister"), []byte("c1"), []byte("module_hash")}, []byte("h1"), true, []string{"canister", "time"}},
		{"empty levels vanish", func(t Tree) Tree {
			return t.Delete(Path{[]byte("canister"), []byte("c1"), []byte("controllers")}).Delete(Path{[]byte("canister"), []byte("c1"), []byte("module_hash")})
		}, Path{[]byte("time")}, NatValue(5), true, []string{"time"}},
		{"delete missing is a no-op", func(t Tree) Tree { return t.Delete(Path{[]byte("nope"), []byte("x")}) }, Path{[]byte("time")}, NatValue(5), true, []string{"canister", "time"}},
		{"graft replaces subtree", func(t Tree) Tree { return t.SetTree(Path{[]byte("canister"), []byte("c1")}, canister) }, Path{[]byte("canister"), []byte("c1"), []byte("controllers")}, nil, false, []string{"canister", "time"}},
		{"grafted leaf readable", func(t Tree) Tree { return t.SetTree(Path{[]byte("canister"), []byte("c1")}, canister) }, Path{[]byte("canister"), []byte("c1"), []byte("module_hash")}, []byte("h2"), true, []string{"canister", "time"}},
		{"graft empty deletes", func(t Tree) Tree { return t.SetTree(Path{[]byte("canister")}, Tree{}) }, Path{[]byte("canister"), []byte("c1"), []byte("module_hash")}, nil, false, []string{"time"}},
		{"leaf replaced by level", func(t Tree) Tree { return t.Set(Path{[]byte("time"), []byte("x")}, []byte("y")) }, Path{[]byte("time"), []byte("x")}, []byte("y"), true, []string{"canister", "time"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := tt.apply(base)
			got, ok := tree.Get(tt.path)
			if ok != tt.wantOK || !bytes.Equal(got, tt.want) {
				t.Fatalf("Get(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.wantOK)
			}
			var tops []string
			for _, l := range tree.Labels() {
				tops = append(tops, string(l))
			}
			if diff := cmp.Diff(tt.wantTops, tops); diff != "" {
				t.Fatalf("top-level labels (-want +got):\n%s", diff)
			}
			if v, _ := base.Get(Path{[]byte("canister"), []byte("c1"), []byte("module_hash")}); string(v) != "h1" {
				t.Fatal("base version was modified")
			}
		})
	}
}

func TestSetCopiesCallerBuffers(t *testing.T) {
	label, value := []byte("key"), []byte("value")
	tree := Tree{}.Set(Path{label}, value)
	before := tree.RootHash()
	label[0], value[0] = 'X', 'X'
	if v, ok := tree.Get(Path{[]byte("key")}); !ok || string(v) != "value" || tree.RootHash() != before {
		t.Fatalf("tree aliases caller buffers: %q %v", v, ok)
	}
}

func TestSubtree(t *testing.T) {
	tree := Tree{}.Set(Path{[]byte("a"), []byte("b"), []byte("c")}, []byte("v"))
	sub, ok := tree.Subtree(Path{[]byte("a"), []byte("b")})
	if !ok {
		t.Fatal("Subtree not found")
	}
	if want := (Tree{}).Set(Path{[]byte("c")}, []byte("v")).RootHash(); sub.RootHash() != want {
		t.Fatal("Subtree hash differs from an equal tree built directly")
	}
	if _, ok := tree.Subtree(Path{[]byte("a"), []byte("b"), []byte("c")}); ok {
		t.Fatal("a leaf is not a subtree")
	}
}
