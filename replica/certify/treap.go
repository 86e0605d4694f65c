package certify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
)

// node is one entry of a labeled level, stored as a persistent treap node. Nodes are never mutated
// after they become reachable from a Tree; updates copy the nodes on the search path.
//
// A node maps to the hash-tree shape Fork(Fork(L, Labeled(label, child)), R) where missing
// children are left out (Fork(Labeled, R), Fork(L, Labeled) or just Labeled). The in-order
// flattening is therefore the sorted label list, which keeps the tree well-formed, and the search
// path of any label passes through its predecessor and successor, which is what an absence proof
// has to reveal.
type node struct {
	label       []byte
	priority    uint64
	child       child
	left, right *node
	labeledHash [32]byte // reconstruct(Labeled(label, child))
	hash        [32]byte // reconstruct of the whole treap subtree rooted here
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

// labelPriority derives the treap priority from the label so that a level's shape is a function of
// its label set alone. SHA-256 keeps adversarial labels from degenerating the treap.
func labelPriority(label []byte) uint64 {
	sum := sha256.Sum256(label)
	return binary.BigEndian.Uint64(sum[:8])
}

// above reports whether a belongs above b in the treap. Ties on priority are broken by label so
// the order is total and the shape stays unique.
func above(a, b *node) bool {
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return bytes.Compare(a.label, b.label) < 0
}

func (n *node) lookup(label []byte) *node {
	for n != nil {
		switch c := bytes.Compare(label, n.label); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return n
		}
	}
	return nil
}

// insert returns a new treap with label bound to c.
func (n *node) insert(label []byte, c child) *node {
	if n == nil {
		fresh := &node{label: cloneBytes(label), priority: labelPriority(label), child: c}
		fresh.labeledHash = labeledHash(fresh.label, c.hash())
		fresh.rehash()
		return fresh
	}
	m := *n
	switch cmp := bytes.Compare(label, n.label); {
	case cmp < 0:
		m.left = n.left.insert(label, c)
		if above(m.left, &m) {
			return rotateRight(&m)
		}
	case cmp > 0:
		m.right = n.right.insert(label, c)
		if above(m.right, &m) {
			return rotateLeft(&m)
		}
	default:
		m.child = c
		m.labeledHash = labeledHash(m.label, c.hash())
	}
	m.rehash()
	return &m
}

// rotateRight lifts m.left above m. Both nodes must be fresh copies owned by the caller.
func rotateRight(m *node) *node {
	l := m.left
	m.left = l.right
	m.rehash()
	l.right = m
	l.rehash()
	return l
}

// rotateLeft lifts m.right above m. Both nodes must be fresh copies owned by the caller.
func rotateLeft(m *node) *node {
	r := m.right
	m.right = r.left
	m.rehash()
	r.left = m
	r.rehash()
	return r
}

// remove returns the treap without label and whether it was present.
func (n *node) remove(label []byte) (*node, bool) {
	if n == nil {
		return nil, false
	}
	m := *n
	switch cmp := bytes.Compare(label, n.label); {
	case cmp < 0:
		left, removed := n.left.remove(label)
		if !removed {
			return n, false
		}
		m.left = left
	case cmp > 0:
		right, removed := n.right.remove(label)
		if !removed {
			return n, false
		}
		m.right = right
	default:
		return merge(n.left, n.right), true
	}
	m.rehash()
	return &m, true
}

// merge joins two treaps where every label of a is below every label of b.
func merge(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case above(a, b):
		m := *a
		m.right = merge(a.right, b)
		m.rehash()
		return &m
	default:
		m := *b
		m.left = merge(a, b.left)
		m.rehash()
		return &m
	}
}

func (n *node) rehash() {
	switch {
	case n.left == nil && n.right == nil:
		n.hash = n.labeledHash
	case n.left == nil:
		n.hash = forkHash(n.labeledHash, n.right.hash)
	case n.right == nil:
		n.hash = forkHash(n.left.hash, n.labeledHash)
	default:
		n.hash = forkHash(forkHash(n.left.hash, n.labeledHash), n.right.hash)
	}
}

func (n *node) inOrder(visit func(*node)) {
	if n == nil {
		return
	}
	n.left.inOrder(visit)
	visit(n)
	n.right.inOrder(visit)
}
