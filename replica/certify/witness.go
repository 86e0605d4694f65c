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
	return witnessTreap(level, q.sortedLabels(), q)
}

// witnessTreap reveals the search paths of the sorted labels inside the treap rooted at n and
// prunes every subtree whose label range contains none of them. It returns nil for a nil n.
func witnessTreap(n *node, labels []string, q *query) hashtree.Node {
	if n == nil {
		return nil
	}
	if len(labels) == 0 {
		return hashtree.Pruned(n.hash)
	}
	label := string(n.label)
	lo := sort.SearchStrings(labels, label)
	hi := lo
	var sub hashtree.Node
	if hi < len(labels) && labels[hi] == label {
		hi++
		sub = witnessChild(n.child, q.next[label])
	} else {
		sub = hashtree.Pruned(n.child.hash())
	}
	return shape(
		witnessTreap(n.left, labels[:lo], q),
		hashtree.Labeled{Label: n.label, Tree: sub},
		witnessTreap(n.right, labels[hi:], q),
	)
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
	return revealTreap(level)
}

func revealTreap(n *node) hashtree.Node {
	if n == nil {
		return nil
	}
	var sub hashtree.Node
	if n.child.isLeaf {
		sub = hashtree.Leaf(n.child.leaf)
	} else {
		sub = revealTreap(n.child.sub)
	}
	return shape(revealTreap(n.left), hashtree.Labeled{Label: n.label, Tree: sub}, revealTreap(n.right))
}

// shape arranges a treap node exactly as node.rehash hashes it; nil children are left out.
func shape(left hashtree.Node, labeled hashtree.Labeled, right hashtree.Node) hashtree.Node {
	var out hashtree.Node = labeled
	if left != nil {
		out = hashtree.Fork{LeftTree: left, RightTree: out}
	}
	if right != nil {
		out = hashtree.Fork{LeftTree: out, RightTree: right}
	}
	return out
}
