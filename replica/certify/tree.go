// Package certify maintains the IC certified state tree and produces witnesses and BLS-signed
// certificates (with a root-signed subnet delegation) that unmodified IC agents accept.
package certify

// Path is a sequence of labels, e.g. {"canister", cid, "module_hash"}.
type Path [][]byte

// Tree is an immutable, persistent labeled hash tree. Every operation returns a new Tree that shares
// all untouched nodes with the old one, so old versions stay valid and may be read concurrently
// without locks. The zero value is the empty tree.
//
// Each labeled level is a persistent, leaf-oriented AVL tree with partial rebuilding (see node):
// labels sit at the leaves in ascending order and every internal node is a hash-tree Fork, so a
// witness path through a level of n labels has at most ceil(log2 n)+1 Forks, close to the IC's
// perfectly balanced fork trees. The shape of a level depends on the order of updates, so two
// trees with equal contents may have different root hashes; that is harmless because a
// certificate covers one version and clients only reconstruct hashes. Every node caches its hash:
// an update re-hashes only the O(log n) nodes on the paths it touches at each level (amortized: a
// level that grows out of shape is occasionally rebuilt, one rebuilt label per update on average).
type Tree struct {
	root *node
}

// Set stores value as a leaf at p, creating intermediate levels. A leaf found where a level is
// needed is replaced by the level (last write wins). An empty path leaves the tree unchanged,
// because the root of the state tree is always a labeled level, never a leaf.
func (t Tree) Set(p Path, value []byte) Tree {
	if len(p) == 0 {
		return t
	}
	return Tree{root: setAt(t.root, p, leafChild(value))}
}

// SetTree grafts sub at p (e.g. a canister's subtree built separately), replacing whatever was
// there. Grafting an empty tree deletes p, because empty levels never appear in the state tree.
// An empty path returns sub itself.
func (t Tree) SetTree(p Path, sub Tree) Tree {
	if sub.root == nil {
		return t.Delete(p)
	}
	if len(p) == 0 {
		return sub
	}
	return Tree{root: setAt(t.root, p, subtreeChild(sub.root))}
}

// Delete removes the leaf or subtree at p. Levels left empty by the removal vanish as well.
// Deleting a path that does not exist returns t unchanged; an empty path deletes everything.
func (t Tree) Delete(p Path) Tree {
	if len(p) == 0 {
		return Tree{}
	}
	root, _ := deleteAt(t.root, p)
	return Tree{root: root}
}

// Get returns the leaf value at p. The returned slice is shared with the tree: do not modify it.
func (t Tree) Get(p Path) ([]byte, bool) {
	n := t.find(p)
	if n == nil || !n.child.isLeaf {
		return nil, false
	}
	return n.child.leaf, true
}

// Subtree returns the level at p (the subtree under the last label of p).
func (t Tree) Subtree(p Path) (Tree, bool) {
	if len(p) == 0 {
		return t, true
	}
	n := t.find(p)
	if n == nil || n.child.isLeaf {
		return Tree{}, false
	}
	return Tree{root: n.child.sub}, true
}

// Labels returns the labels of the top level of t in ascending byte order.
func (t Tree) Labels() [][]byte {
	var labels [][]byte
	t.root.inOrder(func(n *node) { labels = append(labels, n.label()) })
	return labels
}

// IsEmpty reports whether the tree has no labels at all.
func (t Tree) IsEmpty() bool { return t.root == nil }

// RootHash is reconstruct(tree) as defined by the IC interface specification. It is cached.
func (t Tree) RootHash() [32]byte {
	if t.root == nil {
		return emptyHash
	}
	return t.root.hash
}

// find returns the leaf node holding the last label of p, or nil.
func (t Tree) find(p Path) *node {
	level := t.root
	for i, label := range p {
		n := level.lookup(label)
		if n == nil {
			return nil
		}
		if i == len(p)-1 {
			return n
		}
		if n.child.isLeaf {
			return nil
		}
		level = n.child.sub
	}
	return nil
}

func setAt(level *node, p Path, c child) *node {
	if len(p) == 1 {
		return level.insert(p[0], c)
	}
	var sub *node
	if existing := level.lookup(p[0]); existing != nil && !existing.child.isLeaf {
		sub = existing.child.sub
	}
	return level.insert(p[0], subtreeChild(setAt(sub, p[1:], c)))
}

// deleteAt returns the new level and whether anything was removed.
func deleteAt(level *node, p Path) (*node, bool) {
	if len(p) == 1 {
		return level.remove(p[0])
	}
	existing := level.lookup(p[0])
	if existing == nil || existing.child.isLeaf {
		return level, false
	}
	sub, removed := deleteAt(existing.child.sub, p[1:])
	if !removed {
		return level, false
	}
	if sub == nil {
		root, _ := level.remove(p[0])
		return root, true
	}
	return level.insert(p[0], subtreeChild(sub)), true
}

func cloneBytes(b []byte) []byte {
	// Never nil: the CBOR encoder writes a nil slice as null, which is not a valid label or leaf.
	return append([]byte{}, b...)
}
