package httpapi

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/icsig"
)

// chainCache remembers delegation chains whose signatures verified, so a
// session's later requests do not verify the same signatures again: a
// client sends one chain for hours, and each link's signature costs as
// much as the request's own. An entry is keyed by a hash of every byte
// the verification read (root key, sender key, each delegation and its
// signature), so a changed byte is a different chain and a miss. What is
// remembered does not depend on time, except the earliest expiration,
// which every hit checks against the request's time. The request's own
// sender_sig is never cached: it signs a new request id each time.
type chainCache struct {
	mu      sync.Mutex
	budget  int // bytes the entries may weigh together
	weight  int
	entries map[[32]byte]*list.Element // → *cachedChain, in order
	order   *list.List                 // front = most recently used
	hits    int                        // for tests and profiling
	misses  int
}

// cachedChain is what a verified chain proves.
type cachedChain struct {
	key     [32]byte
	signer  icsig.Verifier        // the last key: it must sign the request
	targets []principal.Principal // intersection of the links' targets; nil = all
	expiry  uint64                // earliest expiration of a link, ns
	weight  int
}

// defaultChainCacheBytes bounds the cache's memory: about 40,000 chains of
// one target, or 250 of the IC's 1,000.
const defaultChainCacheBytes = 8 << 20

// entryOverhead approximates the bytes of an entry besides its targets
// (map slot, list element, verifier, key).
const entryOverhead = 200

func newChainCache(budget int) *chainCache {
	return &chainCache{budget: budget, entries: map[[32]byte]*list.Element{}, order: list.New()}
}

// verify is verifyDelegations through the cache; it returns the verifier
// of the key that must sign the request and the chain's targets. A nil
// cache verifies everything.
func (c *chainCache) verify(senderKey []byte, chain []signedDelegation, now time.Time, rootKey []byte) (icsig.Verifier, []principal.Principal, error) {
	if c == nil || len(chain) == 0 || len(chain) > maxDelegations {
		return verifyUncached(senderKey, chain, now, rootKey)
	}
	key := chainKey(rootKey, senderKey, chain)
	if e, ok := c.get(key, uint64(now.UnixNano())); ok {
		return e.signer, slices.Clone(e.targets), nil
	}
	signerKey, targets, expiry, err := verifyDelegations(senderKey, chain, now, rootKey)
	if err != nil {
		return nil, nil, err
	}
	signer, err := parseSigner(signerKey, rootKey)
	if err != nil {
		return nil, nil, err
	}
	allowed := targets.list()
	c.put(&cachedChain{key: key, signer: signer, targets: allowed, expiry: expiry, weight: weigh(signerKey, allowed)})
	// A copy: the Request's Targets go to the backend, the entry's stay.
	return signer, slices.Clone(allowed), nil
}

// verifyUncached handles what is not worth caching: no delegation (the
// sender's own key), or a chain the IC refuses for its length.
func verifyUncached(senderKey []byte, chain []signedDelegation, now time.Time, rootKey []byte) (icsig.Verifier, []principal.Principal, error) {
	signerKey, targets, _, err := verifyDelegations(senderKey, chain, now, rootKey)
	if err != nil {
		return nil, nil, err
	}
	signer, err := parseSigner(signerKey, rootKey)
	if err != nil {
		return nil, nil, err
	}
	return signer, targets.list(), nil
}

// get returns the entry of key if it is still valid at nowNS. An expired
// entry is dropped and reported as a miss, so that the full verification
// names the link that expired.
func (c *chainCache) get(key [32]byte, nowNS uint64) (*cachedChain, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		c.misses++
		return nil, false
	}
	e := el.Value.(*cachedChain)
	if e.expiry < nowNS {
		c.remove(el)
		c.misses++
		return nil, false
	}
	c.order.MoveToFront(el)
	c.hits++
	return e, true
}

// put adds e and evicts the least recently used entries beyond the
// budget. An entry heavier than the whole budget is not kept.
func (c *chainCache) put(e *cachedChain) {
	if e.weight > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		// Two requests of one chain verified it at once.
		c.remove(el)
	}
	c.entries[e.key] = c.order.PushFront(e)
	c.weight += e.weight
	for c.weight > c.budget {
		c.remove(c.order.Back())
	}
}

func (c *chainCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cachedChain)
	delete(c.entries, e.key)
	c.weight -= e.weight
}

// len is the number of chains remembered.
func (c *chainCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// stats returns the hits and misses so far.
func (c *chainCache) stats() (hits, misses int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

func weigh(signerKey []byte, targets []principal.Principal) int {
	w := entryOverhead + len(signerKey)
	for _, t := range targets {
		w += len(t.Raw) + 24 // the slice header of each target
	}
	return w
}

// chainKey hashes every input of the chain's verification, each with its
// length so that no two different inputs run together into the same
// bytes.
func chainKey(rootKey, senderKey []byte, chain []signedDelegation) [32]byte {
	h := sha256.New()
	writeField(h, rootKey)
	writeField(h, senderKey)
	for _, sd := range chain {
		writeField(h, sd.Delegation)
		writeField(h, sd.Signature)
	}
	var key [32]byte
	h.Sum(key[:0])
	return key
}

func writeField(h hash.Hash, b []byte) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	h.Write(b)
}
