package certify

import "bytes"

// node is a node of one labeled level, stored as a persistent, leaf-oriented AVL tree. Nodes are
// never mutated after they become reachable from a Tree; updates copy the nodes on the search path
// (and the few that rotations touch), so old versions stay valid and readers need no locks.
//
// A leaf holds one label and its child and maps to the hash-tree node Labeled(label, child). An
// internal node always has two children and maps to Fork(left, right). The in-order leaf sequence
// is the sorted label list, which keeps the hash tree well-formed, and because every Fork splits a
// level in two, a witness path through a level of n labels crosses only height ≈ log2(n) Forks,
// as in the IC's own balanced fork trees. That matters: agents decode certificates with CBOR
// decoders that refuse more than 32 nesting levels.
type node struct {
	// lo and hi are the smallest and largest label below the node (both the label, for a leaf).
	// They share the leaves' byte slices, so they cost no copies.
	lo, hi      []byte
	child       child // leaves only
	left, right *node // internal nodes only; both set
	height      int   // Forks on the longest path down to a leaf: 0 for a leaf
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
	return &node{lo: label, hi: label, child: c, hash: labeledHash(label, c.hash())}
}

func newFork(left, right *node) *node {
	return &node{
		lo:     left.lo,
		hi:     right.hi,
		left:   left,
		right:  right,
		height: 1 + max(left.height, right.height),
		hash:   forkHash(left.hash, right.hash),
	}
}

func height(n *node) int {
	if n == nil {
		return -1
	}
	return n.height
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
		return balance(n.left.insert(label, c), n.right)
	}
	return balance(n.left, n.right.insert(label, c))
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
		return balance(left, n.right), true
	default:
		right, removed := n.right.remove(label)
		switch {
		case !removed:
			return n, false
		case right == nil:
			return n.left, true
		}
		return balance(n.left, right), true
	}
}

// balance joins two AVL trees whose heights differ by at most 2 (all labels of left below all of
// right) into one whose subtrees differ by at most 1, rotating as AVL insertion and deletion do.
// Only new nodes are built; left and right are shared.
func balance(left, right *node) *node {
	switch {
	case left.height > right.height+1:
		if height(left.left) >= height(left.right) {
			return newFork(left.left, newFork(left.right, right)) // single right rotation
		}
		lr := left.right // double rotation: lr's children are split between the two sides
		return newFork(newFork(left.left, lr.left), newFork(lr.right, right))
	case right.height > left.height+1:
		if height(right.right) >= height(right.left) {
			return newFork(newFork(left, right.left), right.right) // single left rotation
		}
		rl := right.left
		return newFork(newFork(left, rl.left), newFork(rl.right, right.right))
	default:
		return newFork(left, right)
	}
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
