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

// nodeKeys caches, per subnet, the certified public keys of the nodes
// that sign query answers and the canister ranges the subnet answers for.
// agent-go reads them anew for every query; caching them is what makes a
// verified query cost one round trip, and caching them per subnet (found
// by the canister's id in the cached ranges) rather than per canister is
// what makes a fleet of canisters on one subnet cost one read of /subnet.
type nodeKeys struct {
	read   func(context.Context, principal.Principal, [][]hashtree.Label) (*certification.Certificate, error)
	maxAge func() time.Duration // <= 0: DefaultNodeKeysMaxAge
	mu     sync.Mutex
	// subnets is by subnet id bytes; at most maxSubnets.
	subnets map[string]*subnetKeys
	// fetching is one lock per subnet id, and "" for canisters in no
	// cached subnet: it serialises reads of a subnet's keys, so that many
	// answers at once (by a new node, or for canisters of a subnet not yet
	// cached) read them once.
	fetching map[string]*sync.Mutex
}

// verify checks every node signature on a query answer for request id
// against the keys of canister's subnet; when they are not cached (or
// too old), a signer is unknown or a signature does not verify, it reads
// that subnet's keys again and checks once more before refusing (a node
// key may have changed since they were read).
func (n *nodeKeys) verify(ctx context.Context, canister principal.Principal, id agent.RequestID, resp *agent.Response) error {
	if len(resp.Signatures) == 0 {
		return errors.New("the answer carries no node signature")
	}
	msg, err := responseHash(resp, id)
	if err != nil {
		return err
	}
	s, fresh := n.find(canister)
	if fresh {
		if err = s.check(canister, resp, msg); err == nil {
			return nil
		}
	}
	if s, err = n.refresh(ctx, canister, s); err != nil {
		return err
	}
	return s.check(canister, resp, msg)
}

// refresh reads the keys of canister's subnet again, unless another answer
// did since stale (the entry found for canister, or nil) was read. It
// waits on the lock of stale's subnet, or on the one for canisters of no
// cached subnet.
func (n *nodeKeys) refresh(ctx context.Context, canister principal.Principal, stale *subnetKeys) (*subnetKeys, error) {
	subnet := ""
	if stale != nil {
		subnet = string(stale.id.Raw)
	}
	l := n.lock(subnet)
	l.Lock()
	defer l.Unlock()
	if s, fresh := n.find(canister); fresh && s != stale {
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

// fetch reads, certified, the node keys and canister ranges of the subnet
// canister is on, and caches them.
func (n *nodeKeys) fetch(ctx context.Context, canister principal.Principal) (*subnetKeys, error) {
	cert, err := n.read(ctx, canister, [][]hashtree.Label{{hashtree.Label("subnet")}})
	if err != nil {
		return nil, fmt.Errorf("node keys: %w", err)
	}
	subnet, ranges, err := certifiedSubnet(cert)
	if err != nil {
		return nil, fmt.Errorf("node keys: %w", err)
	}
	if !ranges.InRange(canister) {
		return nil, fmt.Errorf("node keys: canister %s is not in the certified canister ranges of subnet %s", canister, subnet)
	}
	keys, err := nodePublicKeys(cert, subnet)
	if err != nil {
		return nil, fmt.Errorf("node keys of subnet %s: %w", subnet, err)
	}
	s := &subnetKeys{id: subnet, ranges: ranges, fetched: time.Now(), keys: keys}
	n.store(s, canister)
	return s, nil
}

// certifiedSubnet is the subnet that signed cert (already verified) and
// the canister ranges the root subnet certifies it for: those of its
// delegation, or, without one, the root subnet's own (spec "Query call",
// verify_response).
func certifiedSubnet(cert *certification.Certificate) (principal.Principal, certification.CanisterRanges, error) {
	if d := cert.Delegation; d != nil {
		ranges, err := certification.LookupCanisterRanges(d.Certificate.Tree, d.SubnetId)
		if err != nil {
			return d.SubnetId, nil, fmt.Errorf("canister ranges of subnet %s: %w", d.SubnetId, err)
		}
		return d.SubnetId, ranges, nil
	}
	root := principal.MustDecode(certification.RootSubnetID)
	ranges, err := certification.LookupCanisterRanges(cert.Tree, root)
	if err != nil {
		return root, nil, fmt.Errorf("canister ranges of the root subnet: %w", err)
	}
	return root, ranges, nil
}

// nodePublicKeys are the Ed25519 keys of subnet's nodes in cert, by node
// principal bytes.
func nodePublicKeys(cert *certification.Certificate, subnet principal.Principal) (map[string]ed25519.PublicKey, error) {
	nodes, err := cert.Tree.LookupSubTree(hashtree.Label("subnet"), subnet.Raw, hashtree.Label("node"))
	if err != nil {
		return nil, err
	}
	children, err := hashtree.AllChildren(nodes)
	if err != nil {
		return nil, err
	}
	keys := map[string]ed25519.PublicKey{}
	for _, c := range children {
		if len(c.Path) != 1 {
			continue
		}
		der, err := hashtree.Lookup(c.Value, hashtree.Label("public_key"))
		if err != nil {
			continue
		}
		if pk, err := certification.PublicED25519KeyFromDER(der); err == nil {
			keys[string(c.Path[0])] = *pk
		}
	}
	return keys, nil
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
