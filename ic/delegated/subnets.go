package delegated

import (
	"crypto/ed25519"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
)

// maxSubnets bounds the cached subnets: the IC has a few dozen, and a
// gateway talks to those its canisters are on.
const maxSubnets = 64

// subnetKeys is what one certified read of /subnet tells about a subnet.
type subnetKeys struct {
	id principal.Principal
	// ranges are the canister ids the subnet answers for, as the root
	// subnet certifies them.
	ranges  certification.CanisterRanges
	fetched time.Time
	keys    map[string]ed25519.PublicKey // by node principal bytes
}

// find is the cached subnet whose ranges hold canister (nil: none) and
// whether it was read within the age bound. Ranges compare principals'
// bytes lexicographically (spec "Subnet information").
func (n *nodeKeys) find(canister principal.Principal) (*subnetKeys, bool) {
	n.mu.Lock()
	var found *subnetKeys
	for _, s := range n.subnets {
		if s.ranges.InRange(canister) && (found == nil || s.fetched.After(found.fetched)) {
			found = s
		}
	}
	n.mu.Unlock()
	if found == nil {
		return nil, false
	}
	maxAge := n.maxAge()
	if maxAge <= 0 {
		maxAge = DefaultNodeKeysMaxAge
	}
	return found, time.Since(found.fetched) < maxAge
}

// store caches s, just read for canister. Another cached subnet whose
// ranges hold canister is dropped: the canister has moved (or that
// subnet was split), and its ranges are out of date.
func (n *nodeKeys) store(s *subnetKeys, canister principal.Principal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.subnets == nil {
		n.subnets = map[string]*subnetKeys{}
	}
	for id, old := range n.subnets {
		if id != string(s.id.Raw) && old.ranges.InRange(canister) {
			delete(n.subnets, id)
		}
	}
	if _, ok := n.subnets[string(s.id.Raw)]; !ok && len(n.subnets) >= maxSubnets {
		delete(n.subnets, string(n.oldest().id.Raw))
	}
	n.subnets[string(s.id.Raw)] = s
}

// oldest is the cached subnet read longest ago; n.mu is held and there
// is at least one.
func (n *nodeKeys) oldest() *subnetKeys {
	var o *subnetKeys
	for _, s := range n.subnets {
		if o == nil || s.fetched.Before(o.fetched) {
			o = s
		}
	}
	return o
}

// lock is the lock serialising reads of subnet's keys ("": of canisters
// in no cached subnet). Locks are kept for every subnet ever read, a few
// dozen at most, so that a waiter never holds a lock another has replaced.
func (n *nodeKeys) lock(subnet string) *sync.Mutex {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fetching == nil {
		n.fetching = map[string]*sync.Mutex{}
	}
	l := n.fetching[subnet]
	if l == nil {
		l = new(sync.Mutex)
		n.fetching[subnet] = l
	}
	return l
}
