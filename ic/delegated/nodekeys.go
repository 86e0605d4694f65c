package delegated

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/aviate-labs/agent-go/principal"
)

// DefaultNodeKeysMaxAge is how long a subnet's node keys are trusted
// without reading them again. Node keys change only when the subnet's
// membership does, and an answer by a node not in the cached set (or one
// whose signature does not verify) reads them at once, so the bound only
// limits how long a removed node stays trusted.
const DefaultNodeKeysMaxAge = time.Hour

// nodeKeys caches, per canister, the certified public keys of the nodes
// of its subnet, which sign query answers. agent-go reads them anew for
// every query; caching them is what makes a delegated query cost one
// round trip.
type nodeKeys struct {
	read   func(context.Context, principal.Principal, [][]hashtree.Label) (*certification.Certificate, error)
	maxAge func() time.Duration // <= 0: DefaultNodeKeysMaxAge
	mu     sync.Mutex
	m      map[string]*subnetKeys
	// fetching serialises reads of the keys, so that many answers by a new
	// node at once read them once.
	fetching sync.Mutex
}

type subnetKeys struct {
	fetched time.Time
	keys    map[string]ed25519.PublicKey // by node principal bytes
}

// verify checks every node signature on a query answer for request id
// against the cached keys; when a signer is unknown or a signature does
// not verify, it reads the keys again and checks once more before
// refusing (a node key may have changed since they were read).
func (n *nodeKeys) verify(ctx context.Context, canister principal.Principal, id agent.RequestID, resp *agent.Response) error {
	if len(resp.Signatures) == 0 {
		return errors.New("the answer carries no node signature")
	}
	msg, err := responseHash(resp, id)
	if err != nil {
		return err
	}
	s := n.cached(canister)
	if s != nil {
		if err = s.check(canister, resp, msg); err == nil {
			return nil
		}
	}
	if s, err = n.refresh(ctx, canister, s); err != nil {
		return err
	}
	return s.check(canister, resp, msg)
}

// cached is canister's keys unless there are none or they are too old.
func (n *nodeKeys) cached(canister principal.Principal) *subnetKeys {
	n.mu.Lock()
	s := n.m[string(canister.Raw)]
	n.mu.Unlock()
	maxAge := n.maxAge()
	if maxAge <= 0 {
		maxAge = DefaultNodeKeysMaxAge
	}
	if s == nil || time.Since(s.fetched) >= maxAge {
		return nil
	}
	return s
}

// refresh reads canister's keys again, unless another answer did since
// stale (the keys that failed, or nil) was read.
func (n *nodeKeys) refresh(ctx context.Context, canister principal.Principal, stale *subnetKeys) (*subnetKeys, error) {
	n.fetching.Lock()
	defer n.fetching.Unlock()
	if s := n.cached(canister); s != nil && s != stale {
		return s, nil
	}
	return n.fetch(ctx, canister)
}

// check verifies every signature on resp with the keys of s.
func (s *subnetKeys) check(canister principal.Principal, resp *agent.Response, msg func(int64) ([]byte, error)) error {
	for _, sig := range resp.Signatures {
		m, err := msg(sig.Timestamp)
		if err != nil {
			return err
		}
		key, ok := s.keys[string(sig.Identity.Raw)]
		if !ok {
			return fmt.Errorf("node %s is not a node of the subnet of %s", sig.Identity, canister)
		}
		if !ed25519.Verify(key, m, sig.Signature) {
			return fmt.Errorf("node %s's signature on the answer does not verify", sig.Identity)
		}
	}
	return nil
}

// fetch reads the keys of the nodes of canister's subnet, certified.
func (n *nodeKeys) fetch(ctx context.Context, canister principal.Principal) (*subnetKeys, error) {
	cert, err := n.read(ctx, canister, [][]hashtree.Label{{hashtree.Label("subnet")}})
	if err != nil {
		return nil, fmt.Errorf("node keys: %w", err)
	}
	subnet := principal.MustDecode(certification.RootSubnetID)
	if cert.Delegation != nil {
		subnet = cert.Delegation.SubnetId
	}
	nodes, err := cert.Tree.LookupSubTree(hashtree.Label("subnet"), subnet.Raw, hashtree.Label("node"))
	if err != nil {
		return nil, fmt.Errorf("node keys of subnet %s: %w", subnet, err)
	}
	children, err := hashtree.AllChildren(nodes)
	if err != nil {
		return nil, fmt.Errorf("node keys of subnet %s: %w", subnet, err)
	}
	s := &subnetKeys{fetched: time.Now(), keys: map[string]ed25519.PublicKey{}}
	for _, c := range children {
		if len(c.Path) != 1 {
			continue
		}
		der, err := hashtree.Lookup(c.Value, hashtree.Label("public_key"))
		if err != nil {
			continue
		}
		if pk, err := certification.PublicED25519KeyFromDER(der); err == nil {
			s.keys[string(c.Path[0])] = *pk
		}
	}
	n.mu.Lock()
	if n.m == nil {
		n.m = map[string]*subnetKeys{}
	}
	n.m[string(canister.Raw)] = s
	n.mu.Unlock()
	return s, nil
}

// responseHash gives, per signature timestamp, the message a node signs
// for a query answer (spec "Query call", as agent-go checks it).
func responseHash(resp *agent.Response, id agent.RequestID) (func(int64) ([]byte, error), error) {
	var fields []certification.KeyValuePair
	switch resp.Status {
	case "replied":
		fields = []certification.KeyValuePair{{Key: "status", Value: resp.Status}, {Key: "reply", Value: resp.Reply}}
	case "rejected":
		code, err := leb128.EncodeUnsigned(new(big.Int).SetUint64(resp.RejectCode))
		if err != nil {
			return nil, err
		}
		fields = []certification.KeyValuePair{
			{Key: "status", Value: resp.Status}, {Key: "reject_code", Value: code},
			{Key: "reject_message", Value: resp.RejectMsg}, {Key: "error_code", Value: resp.ErrorCode},
		}
	default:
		return nil, fmt.Errorf("unknown query status %q", resp.Status)
	}
	return func(ts int64) ([]byte, error) {
		all := append(append([]certification.KeyValuePair{}, fields...),
			certification.KeyValuePair{Key: "timestamp", Value: ts},
			certification.KeyValuePair{Key: "request_id", Value: id[:]})
		h, err := certification.RepresentationIndependentHash(all)
		if err != nil {
			return nil, err
		}
		return append([]byte("\x0Bic-response"), h[:]...), nil
	}, nil
}
