package certify

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/google/go-cmp/cmp"
)

// model is the naive reference state tree: a nested map whose values are []byte leaves or models.
type model map[string]any

func (m model) set(p Path, value []byte) {
	level := m
	for _, label := range p[:len(p)-1] {
		sub, ok := level[string(label)].(model)
		if !ok {
			sub = model{}
			level[string(label)] = sub
		}
		level = sub
	}
	level[string(p[len(p)-1])] = append([]byte{}, value...)
}

// remove deletes p and every level left empty; it reports whether the level m is now empty.
func (m model) remove(p Path) bool {
	if len(p) == 1 {
		delete(m, string(p[0]))
		return len(m) == 0
	}
	sub, ok := m[string(p[0])].(model)
	if ok && sub.remove(p[1:]) {
		delete(m, string(p[0]))
	}
	return len(m) == 0
}

func (m model) get(p Path) ([]byte, bool) {
	var cur any = m
	for _, label := range p {
		level, ok := cur.(model)
		if !ok {
			return nil, false
		}
		if cur, ok = level[string(label)]; !ok {
			return nil, false
		}
	}
	v, ok := cur.([]byte)
	return v, ok
}

func (m model) clone() model {
	out := model{}
	for k, v := range m {
		if sub, ok := v.(model); ok {
			out[k] = sub.clone()
		} else {
			out[k] = v
		}
	}
	return out
}

// leaves lists every leaf path of m.
func (m model) leaves(prefix Path) []Entry {
	var out []Entry
	for k, v := range m {
		p := append(slices.Clone(prefix), []byte(k))
		if sub, ok := v.(model); ok {
			out = append(out, sub.leaves(p)...)
		} else {
			out = append(out, Entry{Path: p, Value: v.([]byte)})
		}
	}
	return out
}

func sortedKeys(m model) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// assertMatchesModel checks a tree against the model through its public API and its full witness:
// the witness reconstructs (by agent-go's independent hashing) to RootHash, holds exactly the
// model's labels at every level in strictly ascending order with nothing pruned, and every model
// leaf is found by Get and by agent-go's Lookup and AllPaths.
func assertMatchesModel(t *testing.T, tree Tree, m model) {
	t.Helper()
	if tree.IsEmpty() != (len(m) == 0) {
		t.Fatalf("IsEmpty = %v with %d top-level labels", tree.IsEmpty(), len(m))
	}
	full := tree.Witness([]Path{{}})
	if got, want := hashtree.NewHashTree(full).Digest(), tree.RootHash(); got != want {
		t.Fatalf("full witness digest %x, RootHash %x", got, want)
	}
	if err := matchLevel(full, m, nil); err != nil {
		t.Fatalf("full witness differs from model: %v", err)
	}
	leaves := m.leaves(nil)
	for _, e := range leaves {
		if v, ok := tree.Get(e.Path); !ok || !bytes.Equal(v, e.Value) {
			t.Fatalf("Get(%q) = %q, %v; want %q", e.Path, v, ok, e.Value)
		}
		if v, err := hashtree.Lookup(full, toLabels(e.Path)...); err != nil || !bytes.Equal(v, e.Value) {
			t.Fatalf("Lookup(%q) in full witness = %q, %v; want %q", e.Path, v, err, e.Value)
		}
	}
	pairs, err := hashtree.AllPaths(full)
	if err != nil {
		t.Fatalf("AllPaths: %v", err)
	}
	if diff := cmp.Diff(leafMap(leaves), pairMap(pairs)); diff != "" {
		t.Fatalf("AllPaths of the full witness (-model +witness):\n%s", diff)
	}
}

// matchLevel compares one level of a fully revealed witness with the model, recursively.
func matchLevel(n hashtree.Node, m model, at Path) error {
	if len(m) == 0 {
		if n != (hashtree.Empty{}) {
			return fmt.Errorf("%q: empty level is %T, want Empty", at, n)
		}
		return nil
	}
	var labeled []hashtree.Labeled
	if err := flattenLevel(n, &labeled); err != nil {
		return fmt.Errorf("%q: %w", at, err)
	}
	var got []string
	for _, l := range labeled {
		got = append(got, string(l.Label))
	}
	if want := sortedKeys(m); !slices.Equal(got, want) {
		return fmt.Errorf("%q: labels %q, want %q (sorted, unique)", at, got, want)
	}
	for _, l := range labeled {
		p := append(slices.Clone(at), l.Label)
		switch want := m[string(l.Label)].(type) {
		case []byte:
			if leaf, ok := l.Tree.(hashtree.Leaf); !ok || !bytes.Equal(leaf, want) {
				return fmt.Errorf("%q: %v, want leaf %q", p, l.Tree, want)
			}
		case model:
			if err := matchLevel(l.Tree, want, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// flattenLevel collects the Labeled nodes of one level in order; only Forks may join them.
func flattenLevel(n hashtree.Node, out *[]hashtree.Labeled) error {
	switch n := n.(type) {
	case hashtree.Fork:
		if err := flattenLevel(n.LeftTree, out); err != nil {
			return err
		}
		return flattenLevel(n.RightTree, out)
	case hashtree.Labeled:
		*out = append(*out, n)
		return nil
	default:
		return fmt.Errorf("unexpected %T inside a non-empty level", n)
	}
}

func leafMap(entries []Entry) map[string]string {
	out := map[string]string{}
	for _, e := range entries {
		out[fmt.Sprintf("%q", e.Path)] = string(e.Value)
	}
	return out
}

func pairMap(pairs []hashtree.PathValuePair[[]byte]) map[string]string {
	out := map[string]string{}
	for _, p := range pairs {
		out[fmt.Sprintf("%q", labelsToPath(p.Path))] = string(p.Value)
	}
	return out
}

func labelsToPath(labels []hashtree.Label) Path {
	p := make(Path, len(labels))
	for i, l := range labels {
		p[i] = l
	}
	return p
}
