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

// nodeKeysTTL is how long a subnet's node keys are trusted without
// reading them again. Node keys change only when the subnet's membership
// does; a signature by a node not in the cached set reads them at once.
const nodeKeysTTL = 5 * time.Minute

// nodeKeys caches, per canister, the certified public keys of the nodes
// of its subnet, which sign query answers. agent-go reads them anew for
// every query; caching them is what makes a delegated query cost one
// round trip.
type nodeKeys struct {
	read func(context.Context, principal.Principal, [][]hashtree.Label) (*certification.Certificate, error)
	mu   sync.Mutex
	m    map[string]*subnetKeys
}

type subnetKeys struct {
	fetched time.Time
	keys    map[string]ed25519.PublicKey // by node principal bytes
}

// verify checks every node signature on a query answer for request id.
func (n *nodeKeys) verify(ctx context.Context, canister principal.Principal, id agent.RequestID, resp *agent.Response) error {
	if len(resp.Signatures) == 0 {
		return errors.New("the answer carries no node signature")
	}
	msg, err := responseHash(resp, id)
	if err != nil {
		return err
	}
	for _, sig := range resp.Signatures {
		ts := sig.Timestamp
		m, err := msg(ts)
		if err != nil {
			return err
		}
		key, err := n.key(ctx, canister, sig.Identity)
		if err != nil {
			return err
		}
		if !ed25519.Verify(key, m, sig.Signature) {
			return fmt.Errorf("node %s's signature on the answer does not verify", sig.Identity)
		}
	}
	return nil
}

func (n *nodeKeys) key(ctx context.Context, canister, node principal.Principal) (ed25519.PublicKey, error) {
	n.mu.Lock()
	s := n.m[string(canister.Raw)]
	n.mu.Unlock()
	if s != nil && time.Since(s.fetched) < nodeKeysTTL {
		if k, ok := s.keys[string(node.Raw)]; ok {
			return k, nil
		}
	}
	s, err := n.fetch(ctx, canister)
	if err != nil {
		return nil, err
	}
	if k, ok := s.keys[string(node.Raw)]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("node %s is not a node of the subnet of %s", node, canister)
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
