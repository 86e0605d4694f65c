package ic

import (
	"github.com/aviate-labs/agent-go/certification/bls"
	gbls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// dstG1 is the domain separation tag of the IC's BLS signatures, as in
// agent-go's certification/bls (which does not export it).
const dstG1 = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

// millerLines are the lines of the Miller loop for one fixed G2 point.
type millerLines = [2][len(gbls.LoopCounter) - 1]gbls.LineEvaluationAff

// negG2Lines are the lines for −g₂, the other fixed point of every check.
var negG2Lines = func() millerLines {
	_, _, _, g2 := gbls.Generators()
	var neg gbls.G2Affine
	neg.Neg(&g2)
	return gbls.PrecomputeLines(neg)
}()

// blsKey is a subnet's (or the root's) BLS public key with the lines of
// its Miller loop computed once: a certificate check is then the same
// pairing equation agent-go's bls.Signature.Verify checks,
// e(σ, −g₂)·e(H(m), pk) = 1, on the same library, but without the G2
// arithmetic of the loop (BenchmarkVerifyBLS: about a sixth less time).
type blsKey struct {
	// bytes is the key, compressed: what tells keys apart.
	bytes [gbls.SizeOfG2AffineCompressed]byte
	lines millerLines
}

func newBLSKey(pk *bls.PublicKey) *blsKey {
	q := gbls.G2Affine(*pk)
	return &blsKey{bytes: q.Bytes(), lines: gbls.PrecomputeLines(q)}
}

// verify tells whether sig is the key's signature on msg.
func (k *blsKey) verify(sig *bls.Signature, msg []byte) bool {
	h, err := gbls.HashToG1(msg, []byte(dstG1))
	if err != nil {
		return false
	}
	// The loop overwrites the lines it is given: each check gets copies
	// (the slice literal copies both arrays).
	lines := []millerLines{negG2Lines, k.lines}
	ok, err := gbls.PairingCheckFixedQ([]gbls.G1Affine{gbls.G1Affine(*sig), h}, lines)
	return err == nil && ok
}
