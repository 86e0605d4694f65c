package httpapi

import (
	"encoding/asn1"

	"github.com/consensys/gnark-crypto/ecc/secp256k1/fr"
)

// What the tests need of the DER key formats (internal/icsig parses them).
var (
	oidWebAuthn    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 56387, 1, 1}
	oidCanisterSig = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 56387, 1, 2}
	secp256k1Order = fr.Modulus()
)

type subjectPublicKeyInfo struct {
	Algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	PublicKey asn1.BitString
}
