package certify

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
)

// maxWitnessDepth is the deepest witness agents can decode: agent-go decodes the tree with
// fxamacker/cbor's default MaxNestedLevels of 32, one level per hash-tree node; two levels are
// kept as a margin for encoders and decoders that also count the certificate's map and tag.
const maxWitnessDepth = 30

// witnessDepth is the nesting depth of a hash tree as CBOR arrays: every node kind is one array.
func witnessDepth(n hashtree.Node) int {
	switch n := n.(type) {
	case hashtree.Fork:
		return 1 + max(witnessDepth(n.LeftTree), witnessDepth(n.RightTree))
	case hashtree.Labeled:
		return 1 + witnessDepth(n.Tree)
	default:
		return 1
	}
}

func TestWitnessDepth(t *testing.T) {
	tests := []struct {
		name string
		tree hashtree.Node
		want int
	}{
		{"empty", hashtree.Empty{}, 1},
		{"leaf", hashtree.Labeled{Label: []byte("a"), Tree: hashtree.Leaf("v")}, 2},
		{"fork", hashtree.Fork{
			LeftTree:  hashtree.Pruned{},
			RightTree: hashtree.Fork{LeftTree: hashtree.Labeled{Label: []byte("b"), Tree: hashtree.Leaf("v")}, RightTree: hashtree.Pruned{}},
		}, 4},
	}
	for _, tt := range tests {
		if got := witnessDepth(tt.tree); got != tt.want {
			t.Errorf("%s: depth %d, want %d", tt.name, got, tt.want)
		}
	}
}

// busyReplicaState is the state of a replica under load: 200,000 request_status entries with
// random 32-byte ids (about 6.5 minutes of 500 updates/s), a few canisters and the subnet.
func busyReplicaState(k *Keys, rng *rand.Rand) (Tree, [][]byte) {
	var tree Tree
	for _, e := range k.SubnetEntries() {
		tree = tree.Set(e.Path, e.Value)
	}
	for i := range 5 {
		cid := principal.NewSelfAuthenticating([]byte{byte(i)}).Raw
		tree = tree.Set(Path{[]byte("canister"), cid, []byte("module_hash")}, make([]byte, 32))
		tree = tree.Set(Path{[]byte("canister"), cid, []byte("certified_data")}, []byte("data"))
	}
	ids := make([][]byte, 200_000)
	for i := range ids {
		ids[i] = make([]byte, 32)
		for j := range ids[i] {
			ids[i][j] = byte(rng.Uint32())
		}
		entry := Tree{}.
			Set(Path{[]byte("status")}, []byte("replied")).
			Set(Path{[]byte("reply")}, []byte("DIDL\x00\x01\x71\x05hello"))
		tree = tree.SetTree(Path{[]byte("request_status"), ids[i]}, entry)
	}
	return tree, ids
}

// TestCertificateDepthWithManyRequests checks that agent-go, decoding with the default CBOR
// options, accepts certificates of a state with 200,000 requests, for a present and an absent id.
func TestCertificateDepthWithManyRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 200,000-request state tree")
	}
	k := newTestKeys(t)
	rng := rand.New(rand.NewPCG(8, 9))
	tree, ids := busyReplicaState(k, rng)
	level, _ := tree.Subtree(lbl("request_status"))
	t.Logf("request_status: %d labels, AVL height %d (ceil(log2 n) = %d)", len(ids), level.root.height, ceilLog2(len(ids)))

	now := time.Now()
	c, err := NewCertifier(k, now)
	if err != nil {
		t.Fatal(err)
	}
	certified, err := c.Certify(tree, now)
	if err != nil {
		t.Fatal(err)
	}
	missing := make([]byte, 32)
	tests := []struct {
		name       string
		path       Path
		wantStatus string // empty: the request must be proven absent
	}{
		{"present request", Path{[]byte("request_status"), ids[rng.IntN(len(ids))]}, "replied"},
		{"absent request", Path{[]byte("request_status"), missing}, ""},
	}
	// Typical requests sit higher than the deepest one: certify that one explicitly.
	tests = append(tests, struct {
		name       string
		path       Path
		wantStatus string
	}{"deepest request", Path{[]byte("request_status"), deepestLabel(level.root)}, "replied"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := certified.Certificate([]Path{tt.path})
			if err != nil {
				t.Fatal(err)
			}
			cert := decodeCertificate(t, raw) // cbor.Unmarshal with the default decoder
			d := witnessDepth(cert.Tree.Root)
			t.Logf("witness depth %d", d)
			if d > maxWitnessDepth {
				t.Fatalf("witness depth %d; agents need at most %d", d, maxWitnessDepth)
			}
			ecid := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
			if err := certification.VerifyCertificate(cert, ecid, k.RootKeyDER()); err != nil {
				t.Fatalf("VerifyCertificate: %v", err)
			}
			status, err := cert.Tree.Lookup(toLabels(append(tt.path, []byte("status")))...)
			if tt.wantStatus == "" {
				var le hashtree.LookupError
				if !errors.As(err, &le) || le.Type != hashtree.LookupResultAbsent {
					t.Fatalf("status of a missing request: %q, %v; want Absent", status, err)
				}
				return
			}
			if err != nil || string(status) != tt.wantStatus {
				t.Fatalf("status = %q, %v; want %q", status, err, tt.wantStatus)
			}
		})
	}
}

// deepestLabel follows the higher child down to a leaf of the deepest path of a level.
func deepestLabel(n *node) []byte {
	for !n.isLeaf() {
		if n.left.height >= n.right.height {
			n = n.left
		} else {
			n = n.right
		}
	}
	return n.label()
}
