package icsig

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// canisterSigKey is a canister signature public key (spec "Canister
// signatures"), the kind Internet Identity hands out: a canister vouches
// for a message by certifying, in its certified data, a tree that holds
// /sig/<sha256(seed)>/<sha256(message)>.
type canisterSigKey struct {
	canister principal.Principal
	seed     []byte
	rootKey  []byte // DER root key the certificate must chain to
}

// parseCanisterSigKey splits the key's bit string: |cid| · cid · seed.
func parseCanisterSigKey(raw, rootKey []byte) (Verifier, error) {
	if len(raw) == 0 || int(raw[0]) > len(raw)-1 || raw[0] > maxPrincipalLength {
		return nil, errors.New("malformed canister signature public key")
	}
	n := int(raw[0])
	return canisterSigKey{
		canister: principal.Principal{Raw: bytes.Clone(raw[1 : 1+n])},
		seed:     bytes.Clone(raw[1+n:]),
		rootKey:  rootKey,
	}, nil
}

// canisterSignature is the CBOR signature of a canister signature key.
type canisterSignature struct {
	Certificate []byte            `cbor:"certificate"`
	Tree        hashtree.HashTree `cbor:"tree"`
}

func (k canisterSigKey) Verify(msg, sig []byte) (err error) {
	// agent-go's hash-tree decoder indexes CBOR arrays without checking
	// their length; hostile input must not take the request down.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed canister signature: %v", r)
		}
	}()
	var cs canisterSignature
	if err := decMode.Unmarshal(bytes.TrimPrefix(sig, selfDescribeTag), &cs); err != nil {
		return fmt.Errorf("malformed canister signature: %w", err)
	}
	if cs.Tree.Root == nil {
		return errors.New("malformed canister signature: missing tree")
	}
	var cert certification.Certificate
	if err := decMode.Unmarshal(bytes.TrimPrefix(cs.Certificate, selfDescribeTag), &cert); err != nil {
		return fmt.Errorf("malformed canister signature certificate: %w", err)
	}
	digest := cs.Tree.Digest()
	if err := certification.VerifyCertifiedData(cert, k.canister, k.rootKey, digest[:]); err != nil {
		return fmt.Errorf("canister signature of %s: %w", k.canister, err)
	}
	seedHash, msgHash := sha256.Sum256(k.seed), sha256.Sum256(msg)
	leaf, err := cs.Tree.Lookup(hashtree.Label("sig"), seedHash[:], msgHash[:])
	if err != nil {
		return fmt.Errorf("canister signature of %s does not cover the message: %w", k.canister, err)
	}
	if len(leaf) != 0 {
		return fmt.Errorf("canister signature of %s: /sig leaf is not empty", k.canister)
	}
	return nil
}

// maxPrincipalLength is the IC's bound on a principal's bytes.
const maxPrincipalLength = 29

// selfDescribeTag is CBOR tag 55799, which agent-js and Internet Identity
// put before CBOR values.
var selfDescribeTag = []byte{0xd9, 0xd9, 0xf7}

// decMode bounds what hostile CBOR may make the decoder allocate.
var decMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  16,
		MaxArrayElements: 1 << 20,
		MaxMapPairs:      1 << 10,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()
