package icsig

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	gecdsa "github.com/consensys/gnark-crypto/ecc/secp256k1/ecdsa"
	"github.com/consensys/gnark-crypto/ecc/secp256k1/fr"
)

// Verifier checks a signature over a message with one public key.
type Verifier interface {
	Verify(msg, sig []byte) error
}

// Object identifiers of the key types the IC accepts for requests
// (spec "Signatures").
var (
	oidEd25519        = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidECPublicKey    = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256           = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidSecp256k1      = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidWebAuthn       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 56387, 1, 1}
	oidCanisterSig    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 56387, 1, 2}
	ErrUnsupportedKey = errors.New("unsupported key type")
)

// subjectPublicKeyInfo is the DER structure of RFC 5280 that wraps every
// request key. Parameters stay raw: Ed25519 has none, ECDSA names a curve.
type subjectPublicKeyInfo struct {
	Algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	PublicKey asn1.BitString
}

// ParsePublicKey turns a DER public key into a verifier. rootKey is the
// DER root key of the IC, which canister signatures must chain to.
func ParsePublicKey(der, rootKey []byte) (Verifier, error) {
	var spki subjectPublicKeyInfo
	rest, err := asn1.Unmarshal(der, &spki)
	if err != nil {
		return nil, fmt.Errorf("malformed DER public key: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("malformed DER public key: trailing bytes")
	}
	key := spki.PublicKey.RightAlign()
	switch alg := spki.Algorithm.Algorithm; {
	case alg.Equal(oidEd25519):
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("Ed25519 public key has %d bytes, expected %d", len(key), ed25519.PublicKeySize)
		}
		return ed25519Key(key), nil
	case alg.Equal(oidECPublicKey):
		return parseECKey(spki.Algorithm.Parameters, key)
	case alg.Equal(oidWebAuthn):
		return nil, fmt.Errorf("%w: WebAuthn keys are not supported", ErrUnsupportedKey)
	case alg.Equal(oidCanisterSig):
		return parseCanisterSigKey(key, rootKey)
	default:
		return nil, fmt.Errorf("%w: algorithm %v", ErrUnsupportedKey, alg)
	}
}

func parseECKey(params asn1.RawValue, point []byte) (Verifier, error) {
	var curve asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params.FullBytes, &curve); err != nil || len(rest) != 0 {
		return nil, errors.New("malformed DER public key: ECDSA key without a named curve")
	}
	switch {
	case curve.Equal(oidP256):
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			return nil, fmt.Errorf("invalid P-256 public key: %w", err)
		}
		return p256Key{pub}, nil
	case curve.Equal(oidSecp256k1):
		return parseSecp256k1Key(point)
	default:
		return nil, fmt.Errorf("%w: ECDSA curve %v", ErrUnsupportedKey, curve)
	}
}

type ed25519Key ed25519.PublicKey

func (k ed25519Key) Verify(msg, sig []byte) error {
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(ed25519.PublicKey(k), msg, sig) {
		return errors.New("Ed25519 signature verification failed")
	}
	return nil
}

type p256Key struct{ pub *ecdsa.PublicKey }

// verify accepts high-S signatures: WebCrypto (agent-js ECDSAKeyIdentity)
// does not normalize P-256 signatures.
func (k p256Key) Verify(msg, sig []byte) error {
	if len(sig) != 64 {
		return fmt.Errorf("ECDSA P-256 signature has %d bytes, expected 64 (r‖s)", len(sig))
	}
	digest := sha256.Sum256(msg)
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(k.pub, digest[:], r, s) {
		return errors.New("ECDSA P-256 signature verification failed")
	}
	return nil
}

type secp256k1Key struct{ pub *gecdsa.PublicKey }

// secp256k1Order is the group order n; the IC refuses high-S (s > n/2)
// secp256k1 signatures.
var (
	secp256k1Order     = fr.Modulus()
	secp256k1HalfOrder = new(big.Int).Rsh(secp256k1Order, 1)
)

func parseSecp256k1Key(point []byte) (Verifier, error) {
	if len(point) != 65 || point[0] != 0x04 {
		return nil, errors.New("invalid secp256k1 public key: expected an uncompressed 65-byte point")
	}
	var pub gecdsa.PublicKey
	if _, err := pub.SetBytes(point[1:]); err != nil {
		return nil, fmt.Errorf("invalid secp256k1 public key: %w", err)
	}
	return secp256k1Key{&pub}, nil
}

func (k secp256k1Key) Verify(msg, sig []byte) error {
	if len(sig) != 64 {
		return fmt.Errorf("ECDSA secp256k1 signature has %d bytes, expected 64 (r‖s)", len(sig))
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	// gnark does not range-check r and s (s = 0 has no inverse).
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(secp256k1Order) >= 0 {
		return errors.New("ECDSA secp256k1 signature out of range")
	}
	if s.Cmp(secp256k1HalfOrder) > 0 {
		return errors.New("ECDSA secp256k1 signature is not in low-S form")
	}
	ok, err := k.pub.Verify(sig, msg, sha256.New())
	if err != nil || !ok {
		return errors.New("ECDSA secp256k1 signature verification failed")
	}
	return nil
}
