package certify

import (
	"bytes"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// checkLevel verifies the balance and cache invariants of a level and of every level nested in
// it: internal nodes have two children, cached heights, sizes, label bounds and hashes are right,
// sibling heights differ by at most one, no subtree of s labels is higher than ceil(log2 s)+1 and
// leaves are in strictly ascending label order. It returns the number of leaves of the level.
func checkLevel(n *node, at Path) (int, error) {
	if n == nil {
		return 0, fmt.Errorf("%q: empty level kept in the tree", at)
	}
	if n.isLeaf() {
		return 1, checkLeaf(n, at)
	}
	if n.right == nil {
		return 0, fmt.Errorf("%q: internal node with one child", at)
	}
	nl, err := checkLevel(n.left, at)
	if err != nil {
		return 0, err
	}
	nr, err := checkLevel(n.right, at)
	if err != nil {
		return 0, err
	}
	switch {
	case n.height != 1+max(n.left.height, n.right.height):
		return 0, fmt.Errorf("%q: cached height %d, children %d and %d", at, n.height, n.left.height, n.right.height)
	case n.left.height-n.right.height > 1 || n.right.height-n.left.height > 1:
		return 0, fmt.Errorf("%q: unbalanced node, children heights %d and %d", at, n.left.height, n.right.height)
	case n.size != nl+nr:
		return 0, fmt.Errorf("%q: cached size %d, %d leaves below", at, n.size, nl+nr)
	case n.height > ceilLog2(n.size)+1:
		return 0, fmt.Errorf("%q: height %d for %d labels exceeds ceil(log2 n)+1", at, n.height, n.size)
	case bytes.Compare(n.left.hi, n.right.lo) >= 0:
		return 0, fmt.Errorf("%q: labels out of order: %q before %q", at, n.left.hi, n.right.lo)
	case !bytes.Equal(n.lo, n.left.lo) || !bytes.Equal(n.hi, n.right.hi):
		return 0, fmt.Errorf("%q: cached bounds [%q, %q], children span [%q, %q]", at, n.lo, n.hi, n.left.lo, n.right.hi)
	case n.hash != forkHash(n.left.hash, n.right.hash):
		return 0, fmt.Errorf("%q: stale fork hash", at)
	}
	return nl + nr, nil
}

func checkLeaf(n *node, at Path) error {
	switch {
	case n.height != 0 || n.size != 1:
		return fmt.Errorf("%q: leaf with height %d and size %d", at, n.height, n.size)
	case !bytes.Equal(n.lo, n.hi):
		return fmt.Errorf("%q: leaf bounds %q and %q differ", at, n.lo, n.hi)
	case n.hash != labeledHash(n.label(), n.child.hash()):
		return fmt.Errorf("%q: stale labeled hash", append(at, n.label()))
	case n.child.isLeaf:
		return nil
	}
	_, err := checkLevel(n.child.sub, append(at, n.label()))
	return err
}

func ceilLog2(n int) int { return bits.Len(uint(n - 1)) }

func TestAVLInvariantsRandomOps(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 11))
			var tree Tree
			var versions []Tree
			for step := range 4000 {
				p := Path{[]byte(fmt.Sprintf("%03d", rng.IntN(600)))}
				if rng.IntN(4) == 0 {
					p = append(p, []byte(fmt.Sprint(rng.IntN(20))))
				}
				if rng.IntN(5) < 2 { // 40% deletes keep the levels shrinking and growing
					tree = tree.Delete(p)
				} else {
					tree = tree.Set(p, []byte(fmt.Sprint(step)))
				}
				if step%100 == 0 {
					versions = append(versions, tree)
				}
				assertAVL(t, tree)
			}
			for _, v := range versions { // rotations copy nodes, they never rebalance old versions
				assertAVL(t, v)
			}
		})
	}
}

func assertAVL(t *testing.T, tree Tree) {
	t.Helper()
	if tree.IsEmpty() {
		return
	}
	if _, err := checkLevel(tree.root, nil); err != nil {
		t.Fatal(err)
	}
}

// TestAVLHeightSortedAndRandomInserts builds big levels in ascending, descending and random order
// and then deletes half of the labels (in insertion order, as request expiry does). Plain AVL
// trees would reach ceil(log2 n)+3 with random inserts (request ids are hashes, so that is the
// common case); partial rebuilding must keep them within ceil(log2 n)+1.
func TestAVLHeightSortedAndRandomInserts(t *testing.T) {
	const n = 1 << 14
	rng := rand.New(rand.NewPCG(5, 6))
	tests := []struct {
		name  string
		order []int
		slack int // allowed height above ceil(log2 n)
	}{
		{"ascending", make([]int, n), 1},
		{"descending", make([]int, n), 1},
		{"random", rng.Perm(n), 1},
	}
	for i := range n {
		tests[0].order[i], tests[1].order[i] = i, n-1-i
	}
	for _, tt := range tests {
		order := tt.order
		t.Run(tt.name, func(t *testing.T) {
			var tree Tree
			for _, i := range order {
				tree = tree.Set(Path{[]byte(fmt.Sprintf("%08d", i))}, []byte("v"))
			}
			assertAVL(t, tree)
			t.Logf("%d labels: height %d (ceil(log2 n) = %d)", n, tree.root.height, ceilLog2(n))
			if limit := ceilLog2(n) + tt.slack; tree.root.height > limit {
				t.Fatalf("height %d for %d labels; want at most %d", tree.root.height, n, limit)
			}
			for _, i := range order[:n/2] {
				tree = tree.Delete(Path{[]byte(fmt.Sprintf("%08d", i))})
			}
			assertAVL(t, tree)
			if len(tree.Labels()) != n/2 {
				t.Fatalf("%d labels left; want %d", len(tree.Labels()), n/2)
			}
			t.Logf("after deleting half: height %d (ceil(log2 n) = %d)", tree.root.height, ceilLog2(n/2))
			if limit := ceilLog2(n/2) + tt.slack; tree.root.height > limit {
				t.Fatalf("height %d for %d labels after deletes; want at most %d", tree.root.height, n/2, limit)
			}
		})
	}
}

// TestJoinRepairsWideImbalance joins levels whose heights differ by more than a rotation can fix,
// which updates reach only after a rebuild shortened one side (rarely): join must rebuild.
func TestJoinRepairsWideImbalance(t *testing.T) {
	m := model{}
	small := Tree{}.Set(lbl("a"), []byte("va"))
	m.set(lbl("a"), []byte("va"))
	var big Tree
	for i := range 32 {
		p := lbl(fmt.Sprintf("b%02d", i))
		big = big.Set(p, []byte(fmt.Sprint(i)))
		m.set(p, []byte(fmt.Sprint(i)))
	}
	bigHash := big.RootHash()
	for _, tt := range []struct {
		name        string
		left, right *node
	}{
		{"short left", small.root, big.root},
		{"short right", big.root, Tree{}.Set(lbl("c"), []byte("vc")).root},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := tt.left.height - tt.right.height; d >= -2 && d <= 2 {
				t.Fatalf("heights %d and %d: not a wide imbalance", tt.left.height, tt.right.height)
			}
			joined := Tree{root: join(tt.left, tt.right)}
			assertAVL(t, joined)
			want := m.clone()
			if tt.name == "short right" {
				want.remove(lbl("a"))
				want.set(lbl("c"), []byte("vc"))
			}
			assertMatchesModel(t, joined, want)
		})
	}
	if big.RootHash() != bigHash || big.root.size != 32 {
		t.Fatal("join modified its input")
	}
}
