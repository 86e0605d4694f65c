package delegated

import (
	"bytes"
	"context"
	"testing"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"

	"github.com/canistry/canistry/ic"
)

// TestCertsAsAgentGo: ic.Certs accepts and refuses what
// certification.VerifyCertificate does — a real certificate of the replica,
// then with a flipped bit in its signature or in its subnet delegation's —
// whether or not it has already verified the delegation.
func TestCertsAsAgentGo(t *testing.T) {
	_, sender, cid := proxied(t)
	cert, err := sender.readState(context.Background(), cid, [][]hashtree.Label{{hashtree.Label("time")}})
	if err != nil {
		t.Fatal(err)
	}
	if cert.Delegation == nil {
		t.Fatal("the replica's certificate has no subnet delegation: nothing to cache")
	}
	flip := func(b []byte) []byte { b = bytes.Clone(b); b[3] ^= 1; return b }
	badSig := *cert
	badSig.Signature = flip(cert.Signature)
	badDelegation := *cert
	d := *cert.Delegation
	d.Certificate.Signature = flip(d.Certificate.Signature)
	badDelegation.Delegation = &d
	cases := []struct {
		name string
		cert certification.Certificate
		ok   bool
	}{
		{"the replica's certificate", *cert, true},
		{"a flipped bit in its signature", badSig, false},
		{"a flipped bit in its delegation's signature", badDelegation, false},
		{"the replica's certificate again", *cert, true},
	}
	for _, fresh := range []bool{true, false} {
		c, err := ic.NewCerts(sender.RootKey())
		if err != nil {
			t.Fatal(err)
		}
		if !fresh {
			if err := c.Verify(cert, cid); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range cases {
			got := c.Verify(&tc.cert, cid)
			want := certification.VerifyCertificate(tc.cert, cid, sender.RootKey())
			if (got == nil) != tc.ok || (want == nil) != tc.ok {
				t.Errorf("%s (delegation already verified: %v): certs %v, agent-go %v, want ok=%v", tc.name, !fresh, got, want, tc.ok)
			}
		}
	}
}
