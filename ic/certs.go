package ic

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/bls"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	"golang.org/x/sync/singleflight"
)

// maxDelegations bounds the remembered subnet delegations: a subnet
// renews its delegation rarely, and a few subnets are all a gateway
// talks to.
const maxDelegations = 64

// maxSigned bounds the remembered verified signatures: a subnet signs one
// state root per round, and the updates answered in that round all carry
// it (pruned differently, with the same root hash).
const maxSigned = 1024

// Certs verifies certificates exactly as certification.VerifyCertificate
// does — the root key's BLS signature on the subnet delegation, the
// canister in the delegation's ranges, the subnet key's BLS signature on
// the certificate — but remembers the delegations it has verified. Every
// certificate of a subnet carries the same delegation until the subnet
// renews it, so checking the root's signature on it once saves one of the
// two pairings each update reply would cost. The canister range and the
// certificate's own signature are checked every time, but a signature
// already verified on the same root hash by the same key is remembered
// too: the replies to the updates of one round share it. Both ic.Client
// and ic/delegated's Sender verify their update replies with it.
type Certs struct {
	root *blsKey
	mu   sync.Mutex
	// known maps a verified delegation (its tree digest, signature and
	// subnet) to the subnet's public key it certifies.
	known map[[32]byte]*blsKey
	// signed holds the verified (key, root hash, signature) triples.
	signed map[[32]byte]struct{}
	// verifying joins the checks of one triple that overlap.
	verifying singleflight.Group
	// pairings counts the BLS pairing checks made.
	pairings atomic.Int64
}

// NewCerts verifies certificates against the DER root key rootDER.
func NewCerts(rootDER []byte) (*Certs, error) {
	root, err := certification.PublicBLSKeyFromDER(rootDER)
	if err != nil {
		return nil, fmt.Errorf("root key: %w", err)
	}
	return &Certs{root: newBLSKey(root), known: map[[32]byte]*blsKey{}, signed: map[[32]byte]struct{}{}}, nil
}

// Verify checks cert for canister.
func (c *Certs) Verify(cert *certification.Certificate, canister principal.Principal) error {
	key := c.root
	if d := cert.Delegation; d != nil {
		var err error
		if key, err = c.delegation(d, canister); err != nil {
			return err
		}
	}
	return c.signedBy(&cert.Tree, cert.Signature, key)
}

// delegation is the subnet key d certifies, for a canister in its ranges.
func (c *Certs) delegation(d *certification.Delegation, canister principal.Principal) (*blsKey, error) {
	if d.Certificate.Delegation != nil {
		return nil, errors.New("multiple delegations are not supported")
	}
	digest := d.Certificate.Tree.Digest()
	id := sha256.Sum256(append(append(digest[:], d.Certificate.Signature...), d.SubnetId.Raw...))
	c.mu.Lock()
	key := c.known[id]
	c.mu.Unlock()
	ranges, err := certification.LookupCanisterRanges(d.Certificate.Tree, d.SubnetId)
	if err != nil {
		return nil, err
	}
	if !ranges.InRange(canister) {
		return nil, fmt.Errorf("canister %s is not in range", canister)
	}
	if key != nil {
		return key, nil
	}
	if err := c.signedBy(&d.Certificate.Tree, d.Certificate.Signature, c.root); err != nil {
		return nil, fmt.Errorf("subnet delegation: %w", err)
	}
	der, err := d.Certificate.Tree.Lookup(hashtree.Label("subnet"), d.SubnetId.Raw, hashtree.Label("public_key"))
	if err != nil {
		return nil, err
	}
	pk, err := certification.PublicBLSKeyFromDER(der)
	if err != nil {
		return nil, err
	}
	key = newBLSKey(pk)
	c.mu.Lock()
	if len(c.known) >= maxDelegations {
		clear(c.known)
	}
	c.known[id] = key
	c.mu.Unlock()
	return key, nil
}

// signedBy checks key's BLS signature on the tree's root hash. Checks of
// one signature that overlap (the replies to one round's updates arrive
// together) share one pairing.
func (c *Certs) signedBy(tree *hashtree.HashTree, signature []byte, key *blsKey) error {
	root := tree.Digest()
	id := signedID(key, root, signature)
	if c.seen(id) {
		return nil
	}
	_, err, _ := c.verifying.Do(string(id[:]), func() (any, error) {
		if c.seen(id) { // verified between the look and the Do
			return nil, nil
		}
		sig, err := bls.SignatureFromBytes(signature)
		if err != nil {
			return nil, err
		}
		c.pairings.Add(1)
		if !key.verify(sig, append(hashtree.DomainSeparator("ic-state-root"), root[:]...)) {
			return nil, errors.New("signature verification failed")
		}
		c.remember(id)
		return nil, nil
	})
	return err
}

// signedID names a (key, root hash, signature) triple.
func signedID(key *blsKey, root [32]byte, signature []byte) [32]byte {
	h := sha256.New()
	h.Write(key.bytes[:])
	h.Write(root[:])
	h.Write(signature)
	var id [32]byte
	h.Sum(id[:0])
	return id
}

func (c *Certs) seen(id [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.signed[id]
	return ok
}

func (c *Certs) remember(id [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.signed) >= maxSigned {
		clear(c.signed)
	}
	c.signed[id] = struct{}{}
}
