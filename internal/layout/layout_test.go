package layout

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/canistry/canistry/"

// layers lists the module's parts from the top down. A package may import
// packages of its own layer or of any layer below; the longest matching
// prefix decides a package's layer.
var layers = [][]string{
	{"cmd", "integration", "examples"},
	{"gateway"},
	{"plugins"},
	{"sdk"},
	{"canisters/personal", "canisters/registry"},
	{"ic"},
	{"replica"},
	{"canisters", "internal", "protocol"},
}

// layerOf gives a package's depth in layers (0 is the top) and whether the
// layout places it at all.
func layerOf(pkg string) (int, bool) {
	rel, ok := strings.CutPrefix(pkg, module)
	if !ok {
		return 0, false
	}
	best, depth := -1, 0
	for i, prefixes := range layers {
		for _, p := range prefixes {
			if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > best {
				best, depth = len(p), i
			}
		}
	}
	return depth, best >= 0
}

func TestImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		from, ok := layerOf(fields[0])
		if !ok {
			t.Errorf("%s is in no layer of the layout: add it to layers", fields[0])
			continue
		}
		for _, imp := range fields[1:] {
			if to, ok := layerOf(imp); ok && to < from {
				t.Errorf("%s imports %s, which lies above it in the layout", fields[0], imp)
			}
		}
	}
}

func TestLayerOf(t *testing.T) {
	for pkg, want := range map[string]int{
		module + "cmd/canistry":           0,
		module + "gateway/host":           1,
		module + "canisters":              7,
		module + "canisters/personal":     4,
		module + "canisters/registry":     4,
		module + "ic":                     5,
		module + "internal/gen/foo":       7,
		module + "replica/replicatest":    6,
		module + "icing":                  -1,
		"github.com/aviate-labs/agent-go": -1,
	} {
		got, ok := layerOf(pkg)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("layerOf(%s) = %d, want %d", pkg, got, want)
		}
	}
}
