package certify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/bls"
	"github.com/aviate-labs/agent-go/principal"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Domain separators (length byte followed by the ASCII name) of the signatures made here.
var (
	stateRootSep = []byte("\x0Dic-state-root")
	responseSep  = []byte("\x0Bic-response")
)

// keysFormatV1 prefixes the persisted key material so that a future format can be told apart.
var keysFormatV1 = []byte("canistry-keys-v1")

const keysBinaryLen = 16 + 3*32 // prefix, root BLS scalar, subnet BLS scalar, node Ed25519 seed

// Keys are the replica's long-lived secrets: the root BLS key (its public key is the root_key the
// agents trust), the application subnet's BLS key (signs every certificate, delegated by the root
// key) and the node's Ed25519 key (signs query responses). Keys is read-only after creation and
// safe for concurrent use.
type Keys struct {
	root   *bls.SecretKey
	subnet *bls.SecretKey
	node   ed25519.PrivateKey

	rootDER, subnetDER, nodeDER []byte
	subnetID, nodeID            principal.Principal
	rangesValue                 []byte // CBOR of the subnet's canister ranges
}

// GenerateKeys creates fresh random keys.
func GenerateKeys() (*Keys, error) {
	root, err := randomBLSKey()
	if err != nil {
		return nil, fmt.Errorf("generate root key: %w", err)
	}
	subnet, err := randomBLSKey()
	if err != nil {
		return nil, fmt.Errorf("generate subnet key: %w", err)
	}
	_, node, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate node key: %w", err)
	}
	return newKeys(root, subnet, node)
}

// WithNewNodeKey is k with a fresh random node key: the same root and
// subnet (so every certificate and the state stay valid), another node —
// what the IC's subnet looks like after a node is replaced.
func (k *Keys) WithNewNodeKey() (*Keys, error) {
	_, node, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate node key: %w", err)
	}
	return newKeys(k.root, k.subnet, node)
}

func randomBLSKey() (*bls.SecretKey, error) {
	var scalar fr.Element
	if _, err := scalar.SetRandom(); err != nil {
		return nil, err
	}
	if scalar.IsZero() {
		return nil, errors.New("random scalar is zero")
	}
	return (*bls.SecretKey)(&scalar), nil
}

func newKeys(root, subnet *bls.SecretKey, node ed25519.PrivateKey) (*Keys, error) {
	k := &Keys{root: root, subnet: subnet, node: node}
	var err error
	if k.rootDER, err = blsPublicKeyDER(root); err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	if k.subnetDER, err = blsPublicKeyDER(subnet); err != nil {
		return nil, fmt.Errorf("subnet key: %w", err)
	}
	if k.nodeDER, err = x509.MarshalPKIXPublicKey(node.Public()); err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	if k.rangesValue, err = canisterRangesValue([][2][]byte{allPrincipalsRange}); err != nil {
		return nil, err
	}
	k.subnetID = principal.NewSelfAuthenticating(k.subnetDER)
	k.nodeID = principal.NewSelfAuthenticating(k.nodeDER)
	return k, nil
}

func blsPublicKeyDER(sk *bls.SecretKey) ([]byte, error) {
	raw := (*bls12381.G2Affine)(sk.PublicKey()).Bytes()
	return certification.PublicBLSKeyToDER(raw[:])
}

// MarshalBinary encodes the secret keys for persistence. The result is secret material.
func (k *Keys) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, keysBinaryLen)
	out = append(out, keysFormatV1...)
	rootScalar := (*fr.Element)(k.root).Bytes()
	subnetScalar := (*fr.Element)(k.subnet).Bytes()
	out = append(out, rootScalar[:]...)
	out = append(out, subnetScalar[:]...)
	out = append(out, k.node.Seed()...)
	return out, nil
}

// UnmarshalBinary restores keys written by MarshalBinary.
func (k *Keys) UnmarshalBinary(data []byte) error {
	if len(data) != keysBinaryLen || !bytes.HasPrefix(data, keysFormatV1) {
		return fmt.Errorf("keys: not a %s blob of %d bytes (got %d bytes)", keysFormatV1, keysBinaryLen, len(data))
	}
	body := data[len(keysFormatV1):]
	root, err := blsKeyFromBytes(body[:32])
	if err != nil {
		return fmt.Errorf("keys: root key: %w", err)
	}
	subnet, err := blsKeyFromBytes(body[32:64])
	if err != nil {
		return fmt.Errorf("keys: subnet key: %w", err)
	}
	restored, err := newKeys(root, subnet, ed25519.NewKeyFromSeed(body[64:96]))
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	*k = *restored
	return nil
}

func blsKeyFromBytes(b []byte) (*bls.SecretKey, error) {
	var scalar fr.Element
	if err := scalar.SetBytesCanonical(b); err != nil {
		return nil, err
	}
	if scalar.IsZero() {
		return nil, errors.New("zero scalar")
	}
	return (*bls.SecretKey)(&scalar), nil
}

// RootKeyDER is the 133-byte DER root public key, served as root_key by /api/v2/status.
func (k *Keys) RootKeyDER() []byte { return cloneBytes(k.rootDER) }

// RootSubnetID is the root (NNS-like) subnet's id, selfauth(root DER). Nothing is hosted there; it
// exists only as the signer of the delegation.
func (k *Keys) RootSubnetID() principal.Principal {
	return principal.NewSelfAuthenticating(k.rootDER)
}

// SubnetID is the application subnet's id, selfauth(subnet DER), as the IC derives it.
func (k *Keys) SubnetID() principal.Principal {
	return principal.Principal{Raw: cloneBytes(k.subnetID.Raw)}
}

// SubnetKeyDER is the 133-byte DER public key of the application subnet.
func (k *Keys) SubnetKeyDER() []byte { return cloneBytes(k.subnetDER) }

// NodeID is the id of the single node, selfauth(node Ed25519 DER). Query signatures carry it as
// their identity.
func (k *Keys) NodeID() principal.Principal {
	return principal.Principal{Raw: cloneBytes(k.nodeID.Raw)}
}

// NodeKeyDER is the node's 44-byte DER Ed25519 public key.
func (k *Keys) NodeKeyDER() []byte { return cloneBytes(k.nodeDER) }

// SignQueryResponse signs the 32-byte hash_of_map of a query response (computed by the HTTP layer)
// with the node key: Ed25519("\x0Bic-response" · msg). The domain separator is added here so that
// the node key can never sign anything else.
func (k *Keys) SignQueryResponse(msg []byte) []byte {
	payload := make([]byte, 0, len(responseSep)+len(msg))
	payload = append(append(payload, responseSep...), msg...)
	return ed25519.Sign(k.node, payload)
}

// signStateRoot makes the BLS signature of a certificate: sign("\x0Dic-state-root" · root hash).
func signStateRoot(sk *bls.SecretKey, rootHash [32]byte) ([]byte, error) {
	msg := make([]byte, 0, len(stateRootSep)+32)
	msg = append(append(msg, stateRootSep...), rootHash[:]...)
	sig, err := sk.Sign(msg)
	if err != nil {
		return nil, fmt.Errorf("bls sign: %w", err)
	}
	raw := (*bls12381.G1Affine)(sig).Bytes()
	return raw[:], nil
}
