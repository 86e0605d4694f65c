package certify

import (
	"bytes"
	"math/bits"
)

// node is a node of one labeled level, stored as a persistent, leaf-oriented AVL tree with
// partial rebuilding (see join). Nodes are never mutated after they become reachable from a Tree;
// updates copy the nodes on the search path (and the few that rotations or rebuilds touch), so old
// versions stay valid and readers need no locks.
//
// A leaf holds one label and its child and maps to the hash-tree node Labeled(label, child). An
// internal node always has two children and maps to Fork(left, right). The in-order leaf sequence
// is the sorted label list, which keeps the hash tree well-formed. Every subtree of s labels is at
// most ceil(log2 s)+1 Forks high, so a witness path through a level of n labels crosses at most
// ceil(log2 n)+1 Forks, one more than the IC's perfectly balanced fork trees. That matters: agents
// decode certificates with CBOR decoders that refuse more than 32 nesting levels.
type node struct {
	// lo and hi are the smallest and largest label below the node (both the label, for a leaf).
	// They share the leaves' byte slices, so they cost no copies.
	lo, hi      []byte
	child       child // leaves only
	left, right *node // internal nodes only; both set
	height      int   // Forks on the longest path down to a leaf: 0 for a leaf
	size        int   // labels (leaves) below the node: 1 for a leaf
	hash        [32]byte
}

// child is what a label points to: a leaf value or a non-empty nested level.
type child struct {
	isLeaf bool
	leaf   []byte
	sub    *node
}

func leafChild(value []byte) child { return child{isLeaf: true, leaf: cloneBytes(value)} }

func subtreeChild(sub *node) child { return child{sub: sub} }

func (c child) hash() [32]byte {
	if c.isLeaf {
		return leafHash(c.leaf)
	}
	return c.sub.hash
}

func (n *node) isLeaf() bool { return n.left == nil }

// label is the label of a leaf.
func (n *node) label() []byte { return n.lo }

func newLeaf(label []byte, c child) *node {
	return &node{lo: label, hi: label, child: c, size: 1, hash: labeledHash(label, c.hash())}
}

func newFork(left, right *node) *node {
	return &node{
		lo:     left.lo,
		hi:     right.hi,
		left:   left,
		right:  right,
		height: 1 + max(left.height, right.height),
		size:   left.size + right.size,
		hash:   forkHash(left.hash, right.hash),
	}
}

// goesLeft reports whether label belongs in the left subtree of the internal node n.
func (n *node) goesLeft(label []byte) bool { return bytes.Compare(label, n.right.lo) < 0 }

// lookup returns the leaf holding label, or nil.
func (n *node) lookup(label []byte) *node {
	for n != nil && !n.isLeaf() {
		if n.goesLeft(label) {
			n = n.left
		} else {
			n = n.right
		}
	}
	if n == nil || !bytes.Equal(n.label(), label) {
		return nil
	}
	return n
}

// insert returns a new level with label bound to c (replacing any previous binding).
func (n *node) insert(label []byte, c child) *node {
	if n == nil {
		return newLeaf(cloneBytes(label), c)
	}
	if n.isLeaf() {
		switch cmp := bytes.Compare(label, n.label()); {
		case cmp == 0:
			return newLeaf(n.label(), c)
		case cmp < 0:
			return newFork(newLeaf(cloneBytes(label), c), n)
		default:
			return newFork(n, newLeaf(cloneBytes(label), c))
		}
	}
	if n.goesLeft(label) {
		return join(n.left.insert(label, c), n.right)
	}
	return join(n.left, n.right.insert(label, c))
}

// remove returns the level without label (nil if it became empty) and whether label was present.
// Removing a leaf replaces its parent Fork by the leaf's sibling.
func (n *node) remove(label []byte) (*node, bool) {
	switch {
	case n == nil:
		return nil, false
	case n.isLeaf():
		if bytes.Equal(label, n.label()) {
			return nil, true
		}
		return n, false
	case n.goesLeft(label):
		left, removed := n.left.remove(label)
		switch {
		case !removed:
			return n, false
		case left == nil:
			return n.right, true
		}
		return join(left, n.right), true
	default:
		right, removed := n.right.remove(label)
		switch {
		case !removed:
			return n, false
		case right == nil:
			return n.left, true
		}
		return join(n.left, right), true
	}
}

// join makes the Fork of two levels (all labels of left below all of right) and restores the
// balance invariants there, building only new nodes; left and right are shared. Two invariants
// hold at every internal node:
//   - AVL: the children's heights differ by at most one, which keeps updates O(log n);
//   - height ≤ ceil(log2 size) + 1, which AVL alone does not give (random inserts leave AVL trees
//     2-3 levels above ceil(log2 n)) and which bounds witness depth as the IC's balanced fork trees
//     do. A node that breaks it is rebuilt perfectly balanced (partial rebuilding). That costs O(s)
//     for a subtree of s labels but is rare: about one rebuilt leaf per update on average.
func join(left, right *node) *node {
	if left.height > right.height+2 || right.height > left.height+2 {
		// Only after a rebuild shortened one side; a rotation cannot repair it.
		return rebuild(left, right)
	}
	n := rotate(left, right)
	if !settled(n) {
		return rebuild(n.left, n.right)
	}
	return n
}

// rotate joins two AVL trees whose heights differ by at most 2 with AVL's single or double
// rotations, without checking the size bound.
func rotate(left, right *node) *node {
	switch {
	case left.height > right.height+1:
		if left.left.height >= left.right.height {
			return newFork(left.left, newFork(left.right, right)) // single right rotation
		}
		lr := left.right // double rotation: lr's children are split between the two sides
		return newFork(newFork(left.left, lr.left), newFork(lr.right, right))
	case right.height > left.height+1:
		if right.right.height >= right.left.height {
			return newFork(newFork(left, right.left), right.right) // single left rotation
		}
		rl := right.left
		return newFork(newFork(left, rl.left), newFork(rl.right, right.right))
	default:
		return newFork(left, right)
	}
}

// settled reports whether n and its children, the only nodes a rotation creates, keep both
// invariants. The grandchildren are existing nodes, which keep them already.
func settled(n *node) bool {
	return balanced(n) && balanced(n.left) && balanced(n.right)
}

func balanced(n *node) bool {
	if n.isLeaf() {
		return true
	}
	diff := n.left.height - n.right.height
	return diff >= -1 && diff <= 1 && n.height <= heightLimit(n.size)
}

// heightLimit is the height allowed for a subtree with size labels: one more than a perfectly
// balanced tree's.
func heightLimit(size int) int { return bits.Len(uint(size-1)) + 1 }

// rebuild returns a perfectly balanced level holding the leaves of left and then right. Leaves
// (and so all nested levels) are reused; only the Forks are new.
func rebuild(left, right *node) *node {
	leaves := make([]*node, 0, left.size+right.size)
	collect := func(leaf *node) { leaves = append(leaves, leaf) }
	left.inOrder(collect)
	right.inOrder(collect)
	return buildBalanced(leaves)
}

// buildBalanced halves the leaves recursively, so sibling sizes differ by at most one and the
// height is ceil(log2 len(leaves)).
func buildBalanced(leaves []*node) *node {
	if len(leaves) == 1 {
		return leaves[0]
	}
	mid := len(leaves) / 2
	return newFork(buildBalanced(leaves[:mid]), buildBalanced(leaves[mid:]))
}

// inOrder visits the leaves in ascending label order.
func (n *node) inOrder(visit func(*node)) {
	switch {
	case n == nil:
	case n.isLeaf():
		visit(n)
	default:
		n.left.inOrder(visit)
		n.right.inOrder(visit)
	}
}
