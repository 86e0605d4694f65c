package certify

import (
	"slices"
	"sort"

	"github.com/aviate-labs/agent-go/certification/hashtree"
)

// Witness returns a pruned copy of the tree that reconstructs to t.RootHash() and, following the
// spec's lookup semantics, answers every requested path:
//   - a path ending at a leaf reveals the leaf; a path ending at a level reveals that whole subtree;
//   - a path whose label is missing at some level reveals the neighbouring labels of that level
//     with nothing pruned between them, so lookup reports Absent (never Unknown);
//   - everything else is Pruned.
//
// Multiple paths merge into one witness. The empty path ends at the root and so reveals the whole
// tree: a read_state handler must reject it (the spec allows no such path), or it leaks every entry.
func (t Tree) Witness(paths []Path) hashtree.Node {
	q := newQuery(paths)
	if q.full {
		return revealLevel(t.root)
	}
	return witnessLevel(t.root, q)
}

// query is the trie of requested paths. full means the whole subtree at this point is requested.
type query struct {
	full bool
	next map[string]*query
}

func newQuery(paths []Path) *query {
	root := &query{}
	for _, p := range paths {
		q := root
		for _, label := range p {
			if q.full {
				break
			}
			if q.next == nil {
				q.next = map[string]*query{}
			}
			sub, ok := q.next[string(label)]
			if !ok {
				sub = &query{}
				q.next[string(label)] = sub
			}
			q = sub
		}
		q.full = true
	}
	return root
}

func (q *query) sortedLabels() []string {
	labels := make([]string, 0, len(q.next))
	for label := range q.next {
		labels = append(labels, label)
	}
	slices.Sort(labels)
	return labels
}

// witnessLevel builds the witness of one level for the labels requested in q.
func witnessLevel(level *node, q *query) hashtree.Node {
	if level == nil {
		return hashtree.Empty{}
	}
	if len(q.next) == 0 {
		return hashtree.Pruned(level.hash)
	}
	return witnessNode(level, q.sortedLabels(), q)
}

// witnessNode reveals, below n, the leaf of every sorted label that is present and both
// neighbouring leaves of every label that is absent, and prunes every subtree none of them needs.
// The neighbours of an absent label are adjacent in the in-order, so no Pruned node lies between
// them and lookup reports Absent whatever the shape of the tree.
func witnessNode(n *node, labels []string, q *query) hashtree.Node {
	if len(labels) == 0 {
		return hashtree.Pruned(n.hash)
	}
	if n.isLeaf() {
		return witnessLeaf(n, labels, q)
	}
	// Labels below the split go left, the rest right. An absent label falling in the gap between
	// the two halves goes both ways: its predecessor is the last leaf on the left (where it lands
	// by being above everything there) and its successor the first on the right (below everything).
	split, leftHi := n.right.lo, n.left.hi
	toRight := sort.Search(len(labels), func(i int) bool { return labels[i] > string(leftHi) })
	toLeft := sort.Search(len(labels), func(i int) bool { return labels[i] >= string(split) })
	return hashtree.Fork{
		LeftTree:  witnessNode(n.left, labels[:toLeft], q),
		RightTree: witnessNode(n.right, labels[toRight:], q),
	}
}

// witnessLeaf reveals the leaf's label, and its child too if the label is requested. Requested
// labels that differ from it are absent and only need the label itself as a neighbour.
func witnessLeaf(n *node, labels []string, q *query) hashtree.Node {
	label := n.label()
	if i := sort.SearchStrings(labels, string(label)); i < len(labels) && labels[i] == string(label) {
		return hashtree.Labeled{Label: label, Tree: witnessChild(n.child, q.next[labels[i]])}
	}
	return hashtree.Labeled{Label: label, Tree: hashtree.Pruned(n.child.hash())}
}

func witnessChild(c child, q *query) hashtree.Node {
	switch {
	case c.isLeaf:
		// A leaf also answers paths that continue below it: lookup reports them Absent.
		return hashtree.Leaf(c.leaf)
	case q.full:
		return revealLevel(c.sub)
	default:
		return witnessLevel(c.sub, q)
	}
}

// revealLevel converts a whole level and everything below it into hash-tree nodes.
func revealLevel(level *node) hashtree.Node {
	if level == nil {
		return hashtree.Empty{}
	}
	return revealNode(level)
}

func revealNode(n *node) hashtree.Node {
	if !n.isLeaf() {
		return hashtree.Fork{LeftTree: revealNode(n.left), RightTree: revealNode(n.right)}
	}
	if n.child.isLeaf {
		return hashtree.Labeled{Label: n.label(), Tree: hashtree.Leaf(n.child.leaf)}
	}
	return hashtree.Labeled{Label: n.label(), Tree: revealNode(n.child.sub)}
}
