package certify

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// delegationMaxAge is how old a delegation may get before Certify re-signs it. agent-js rejects
// delegation certificates older than 30 days; refreshing daily keeps a long-running replica far
// from that limit at the cost of one extra BLS signature per day.
const delegationMaxAge = 24 * time.Hour

// timePath is /time, revealed by every certificate.
var timePath = Path{[]byte("time")}

// Certifier signs versions of the state tree with the subnet key and attaches the root-signed
// delegation for the subnet. It is safe for concurrent use.
type Certifier struct {
	keys *Keys

	mu         sync.Mutex
	delegation *delegation
}

// delegation is a root-signed certificate vouching for the subnet key and canister ranges.
type delegation struct {
	time        time.Time
	certificate []byte // CBOR, as carried in delegation.certificate
}

// NewCertifier makes the delegation certificate for the keys' subnet, timed at now.
func NewCertifier(k *Keys, now time.Time) (*Certifier, error) {
	d, err := newDelegation(k, now)
	if err != nil {
		return nil, err
	}
	return &Certifier{keys: k, delegation: d}, nil
}

// newDelegation signs, with the root key, a tree holding the subnet's entries and /time, and
// reveals /subnet/<sid>/{public_key,canister_ranges,type}, /canister_ranges/<sid> and /time.
// The node keys stay pruned: agents read them from the subnet's own certificates.
func newDelegation(k *Keys, now time.Time) (*delegation, error) {
	var tree Tree
	for _, e := range k.SubnetEntries() {
		tree = tree.Set(e.Path, e.Value)
	}
	tree = tree.Set(timePath, NatValue(unixNanos(now)))
	sig, err := signStateRoot(k.root, tree.RootHash())
	if err != nil {
		return nil, fmt.Errorf("sign delegation: %w", err)
	}
	cert, err := encodeCertificate(tree.Witness(append(k.delegationPaths(), timePath)), sig, nil)
	if err != nil {
		return nil, fmt.Errorf("encode delegation: %w", err)
	}
	return &delegation{time: now, certificate: cert}, nil
}

// Certify sets /time to now (LEB128 nanoseconds) and signs the resulting root hash with the subnet
// key. This is the expensive step (one BLS signature); make one Certified per state version and
// serve all certificates of that version from it.
func (c *Certifier) Certify(t Tree, now time.Time) (*Certified, error) {
	d, err := c.currentDelegation(now)
	if err != nil {
		return nil, err
	}
	tree := t.Set(timePath, NatValue(unixNanos(now)))
	rootHash := tree.RootHash()
	sig, err := signStateRoot(c.keys.subnet, rootHash)
	if err != nil {
		return nil, fmt.Errorf("certify state: %w", err)
	}
	return &Certified{
		tree:       tree,
		time:       now,
		rootHash:   rootHash,
		signature:  sig,
		subnetID:   c.keys.subnetID.Raw,
		delegation: d,
	}, nil
}

// currentDelegation returns the delegation, re-signed if it is too old or lies after now (the
// replica's clock may be set back, and agents refuse delegations from the future).
func (c *Certifier) currentDelegation(now time.Time) (*delegation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	age := now.Sub(c.delegation.time)
	if age >= 0 && age < delegationMaxAge {
		return c.delegation, nil
	}
	d, err := newDelegation(c.keys, now)
	if err != nil {
		return nil, fmt.Errorf("refresh delegation: %w", err)
	}
	slog.Debug("certify: delegation re-signed", "previous", c.delegation.time, "now", now)
	c.delegation = d
	return d, nil
}

// unixNanos is the IC's time encoding; times before 1970 cannot occur on a replica and map to 0.
func unixNanos(t time.Time) uint64 {
	ns := t.UnixNano()
	if ns < 0 {
		return 0
	}
	return uint64(ns)
}
