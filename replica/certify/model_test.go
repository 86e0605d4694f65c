package certify

import (
	"bytes"
	"slices"

	"github.com/aviate-labs/agent-go/certification/hashtree"
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

// naiveTree rebuilds the whole hash tree from scratch: at each level the label with the highest
// priority is the root, smaller labels go left, larger ones right.
func naiveTree(m model) hashtree.Node {
	if len(m) == 0 {
		return hashtree.Empty{}
	}
	return naiveLevel(m, sortedKeys(m))
}

func sortedKeys(m model) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func naiveLevel(m model, labels []string) hashtree.Node {
	if len(labels) == 0 {
		return nil
	}
	top := 0
	for i, label := range labels {
		pi, pt := labelPriority([]byte(label)), labelPriority([]byte(labels[top]))
		if pi > pt || (pi == pt && bytes.Compare([]byte(label), []byte(labels[top])) < 0) {
			top = i
		}
	}
	var sub hashtree.Node
	switch v := m[labels[top]].(type) {
	case []byte:
		sub = hashtree.Leaf(v)
	case model:
		sub = naiveLevel(v, sortedKeys(v))
	}
	var out hashtree.Node = hashtree.Labeled{Label: []byte(labels[top]), Tree: sub}
	if left := naiveLevel(m, labels[:top]); left != nil {
		out = hashtree.Fork{LeftTree: left, RightTree: out}
	}
	if right := naiveLevel(m, labels[top+1:]); right != nil {
		out = hashtree.Fork{LeftTree: out, RightTree: right}
	}
	return out
}
