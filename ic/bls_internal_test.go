package ic

import (
	"testing"

	"github.com/aviate-labs/agent-go/certification/bls"
)

// TestVerifyAsAgentGo: the check with precomputed lines accepts and
// refuses exactly what agent-go's bls.Signature.Verify does: the right
// signature, another message, another key, another signature.
func TestVerifyAsAgentGo(t *testing.T) {
	sk, other := bls.NewSecretKeyByCSPRNG(), bls.NewSecretKeyByCSPRNG()
	pk, otherPK := sk.PublicKey(), other.PublicKey()
	msg := []byte("ic-state-root and a root hash")
	sig, _ := sk.Sign(msg)
	otherSig, _ := other.Sign(msg)
	key := newBLSKey(pk)
	for _, tc := range []struct {
		name string
		key  *bls.PublicKey
		sig  *bls.Signature
		msg  []byte
		ok   bool
	}{
		{"its signature", pk, sig, msg, true},
		{"its signature, again", pk, sig, msg, true},
		{"another message", pk, sig, []byte("another root hash"), false},
		{"another key's signature", pk, otherSig, msg, false},
		{"checked against another key", otherPK, sig, msg, false},
	} {
		k := key
		if tc.key != pk {
			k = newBLSKey(tc.key)
		}
		got, want := k.verify(tc.sig, tc.msg), tc.sig.Verify(tc.key, tc.msg)
		if got != tc.ok || want != tc.ok {
			t.Errorf("%s: lines %v, agent-go %v, want %v", tc.name, got, want, tc.ok)
		}
	}
}

// BenchmarkVerifyBLS: one certificate signature check, by agent-go and
// with the key's lines precomputed.
func BenchmarkVerifyBLS(b *testing.B) {
	sk := bls.NewSecretKeyByCSPRNG()
	pk := sk.PublicKey()
	msg := []byte("ic-state-root and a root hash")
	sig, _ := sk.Sign(msg)
	b.Run("agent-go", func(b *testing.B) {
		for b.Loop() {
			if !sig.Verify(pk, msg) {
				b.Fatal("refused")
			}
		}
	})
	key := newBLSKey(pk)
	b.Run("lines", func(b *testing.B) {
		for b.Loop() {
			if !key.verify(sig, msg) {
				b.Fatal("refused")
			}
		}
	})
}
