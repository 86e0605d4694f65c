package ic

import (
	"bytes"
	"sync"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/bls"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	gbls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// TestOverlappingChecksShareOnePairing: the replies to one round's updates
// carry one signature and arrive together; their checks make one pairing,
// and all of them accept it. Checks of a forged signature that overlap
// all refuse it.
func TestOverlappingChecksShareOnePairing(t *testing.T) {
	sk := bls.NewSecretKeyByCSPRNG()
	pk := (*gbls.G2Affine)(sk.PublicKey()).Bytes()
	der, err := certification.PublicBLSKeyToDER(pk[:])
	if err != nil {
		t.Fatal(err)
	}
	tree := hashtree.NewHashTree(hashtree.Labeled{Label: hashtree.Label("time"), Tree: hashtree.Leaf("now")})
	root := tree.Digest()
	sig, err := sk.Sign(append(hashtree.DomainSeparator("ic-state-root"), root[:]...))
	if err != nil {
		t.Fatal(err)
	}
	raw := (*gbls.G1Affine)(sig).Bytes()
	good := &certification.Certificate{Tree: tree, Signature: raw[:]}
	forged := &certification.Certificate{Tree: tree, Signature: bytes.Clone(good.Signature)}
	forged.Signature[3] ^= 1
	for _, tc := range []struct {
		name string
		cert *certification.Certificate
		ok   bool
	}{{"its signature", good, true}, {"a flipped bit", forged, false}} {
		c, err := NewCerts(der)
		if err != nil {
			t.Fatal(err)
		}
		const checks = 8
		start := make(chan struct{})
		errs := make([]error, checks)
		var wg sync.WaitGroup
		for i := range checks {
			wg.Go(func() {
				<-start
				errs[i] = c.Verify(tc.cert, principal.AnonymousID)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if (err == nil) != tc.ok {
				t.Errorf("%s: check %d: %v, want ok=%v", tc.name, i, err, tc.ok)
			}
		}
		if tc.ok {
			if n := c.pairings.Load(); n != 1 {
				t.Errorf("%s: %d overlapping checks made %d pairings, want 1", tc.name, checks, n)
			}
		}
	}
}
