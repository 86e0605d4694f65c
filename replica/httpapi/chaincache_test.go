package httpapi

import (
	"encoding/binary"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// chainFixture is a user who delegated to a session key for testCanister,
// and a handler whose chain cache the tests watch.
type chainFixture struct {
	user, session identity.Identity
	chain         []map[string]any
	backend       *stubBackend
	h             *handler
	sent          uint64 // requests so far, the next nonce
}

func newChainFixture(t *testing.T, expiration time.Time) *chainFixture {
	user, _ := ed25519Identity(t)
	session, _ := ed25519Identity(t)
	b := newStubBackend()
	return &chainFixture{
		user: user, session: session, backend: b,
		chain: []map[string]any{signedDelegationFor(t, user, session.PublicKey(), expiration, []principal.Principal{testCanister})},
		h:     NewHandler(b, Config{}, nil).(*handler),
	}
}

// query sends a query from the user with chain, signed by signer, to
// canister at the backend's current time; every call has a new nonce, so
// a new request id the signature must cover.
func (f *chainFixture) query(t *testing.T, chain []map[string]any, signer identity.Identity, canister principal.Principal) (int, string) {
	t.Helper()
	req := newRequest("query", f.user.Sender())
	req.CanisterID = canister
	f.sent++
	req.Nonce = binary.BigEndian.AppendUint64(nil, f.sent)
	req.IngressExpiry = uint64(f.backend.Now().Add(4 * time.Minute).UnixNano())
	body := delegatedEnvelope(t, f.user, signer, chain, req)
	rec := post(t, f.h, "/api/v2/canister/"+canister.String()+"/query", "application/cbor", body)
	return rec.Code, rec.Body.String()
}

// mustQuery sends a valid query and requires the answer 200.
func (f *chainFixture) mustQuery(t *testing.T) {
	t.Helper()
	if code, body := f.query(t, f.chain, f.session, testCanister); code != http.StatusOK {
		t.Fatalf("valid delegated query: %d %s", code, body)
	}
}

func (f *chainFixture) wantStats(t *testing.T, hits, misses int) {
	t.Helper()
	if h, m := f.h.chains.stats(); h != hits || m != misses {
		t.Fatalf("cache hits/misses = %d/%d, want %d/%d", h, m, hits, misses)
	}
}

func wantRefused(t *testing.T, code int, body, contains string) {
	t.Helper()
	if code != http.StatusBadRequest || !strings.Contains(body, contains) {
		t.Fatalf("got %d %q, want 400 containing %q", code, body, contains)
	}
}

func TestChainCacheRemembersVerifiedChain(t *testing.T) {
	f := newChainFixture(t, testNow.Add(time.Hour))
	f.mustQuery(t)
	f.wantStats(t, 0, 1)
	f.mustQuery(t)
	f.wantStats(t, 1, 1)
	if n := f.h.chains.len(); n != 1 {
		t.Fatalf("cache holds %d chains, want 1", n)
	}
}

// TestChainCacheHitChecksExpiry: a remembered chain is refused once the
// replica's time passes its expiration, with the IC's message naming the
// link, and is forgotten.
func TestChainCacheHitChecksExpiry(t *testing.T) {
	f := newChainFixture(t, testNow.Add(time.Minute))
	f.mustQuery(t)
	if n := f.h.chains.len(); n != 1 {
		t.Fatalf("cache holds %d chains, want 1", n)
	}
	f.backend.setNow(testNow.Add(2 * time.Minute))
	code, body := f.query(t, f.chain, f.session, testCanister)
	wantRefused(t, code, body, "delegation 0: delegation expired at")
	if n := f.h.chains.len(); n != 0 {
		t.Fatalf("the expired chain is still cached (%d entries)", n)
	}
}

// TestChainCacheHitChecksRequestSignature: the chain is remembered, the
// request's own signature is not.
func TestChainCacheHitChecksRequestSignature(t *testing.T) {
	f := newChainFixture(t, testNow.Add(time.Hour))
	f.mustQuery(t)
	stranger, _ := ed25519Identity(t)
	code, body := f.query(t, f.chain, stranger, testCanister)
	wantRefused(t, code, body, "invalid signature of request")
	code, body = f.query(t, f.chain, f.user, testCanister)
	wantRefused(t, code, body, "invalid signature of request")
	f.wantStats(t, 2, 1)
}

// TestChainCacheHitChecksTargets: a remembered chain still allows only its
// targets.
func TestChainCacheHitChecksTargets(t *testing.T) {
	f := newChainFixture(t, testNow.Add(time.Hour))
	f.mustQuery(t)
	code, body := f.query(t, f.chain, f.session, otherCanister)
	wantRefused(t, code, body, "not one of the delegation targets")
	f.wantStats(t, 1, 1)
}

// TestChainCacheTamperedDelegationMisses: any change to a remembered
// chain's bytes is another chain, verified in full and refused.
func TestChainCacheTamperedDelegationMisses(t *testing.T) {
	attacker, _ := ed25519Identity(t)
	tests := []struct {
		name   string
		tamper func(inner, signed map[string]any)
		signer func(f *chainFixture) identity.Identity
	}{
		{"later expiration", func(inner, _ map[string]any) {
			inner["expiration"] = uint64(testNow.Add(48 * time.Hour).UnixNano())
		}, nil},
		{"added target", func(inner, _ map[string]any) {
			inner["targets"] = [][]byte{testCanister.Raw, otherCanister.Raw}
		}, nil},
		{"no targets", func(inner, _ map[string]any) { delete(inner, "targets") }, nil},
		{"flipped signature", func(_, signed map[string]any) { flipLastByte(signed["signature"]) }, nil},
		{"another session key", func(inner, _ map[string]any) { inner["pubkey"] = attacker.PublicKey() },
			func(*chainFixture) identity.Identity { return attacker }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newChainFixture(t, testNow.Add(time.Hour))
			f.mustQuery(t)
			tampered := copyChain(f.chain)
			tt.tamper(tampered[0]["delegation"].(map[string]any), tampered[0])
			signer := f.session
			if tt.signer != nil {
				signer = tt.signer(f)
			}
			code, body := f.query(t, tampered, signer, testCanister)
			wantRefused(t, code, body, "delegation 0: invalid delegation signature")
			f.wantStats(t, 0, 2)
			f.mustQuery(t) // the genuine chain is still remembered
			f.wantStats(t, 1, 2)
		})
	}
}

// copyChain deep-copies the maps and byte slices a test tampers with.
func copyChain(chain []map[string]any) []map[string]any {
	out := make([]map[string]any, len(chain))
	for i, sd := range chain {
		inner := map[string]any{}
		for k, v := range sd["delegation"].(map[string]any) {
			inner[k] = v
		}
		out[i] = map[string]any{"delegation": inner, "signature": append([]byte{}, sd["signature"].([]byte)...)}
	}
	return out
}

// TestChainCacheEvictsLeastRecentlyUsed fills a cache sized for two
// chains with three.
func TestChainCacheEvictsLeastRecentlyUsed(t *testing.T) {
	chains := make([]*decoded, 3)
	for i := range chains {
		chains[i] = delegatedDecoded(t)
	}
	first := verifyCached(t, newChainCache(1<<20), chains[0])
	if first == nil {
		t.Fatal("a roomy cache did not keep the chain")
	}
	c := newChainCache(2 * first.weight)
	for _, i := range []int{0, 1, 0, 2} { // 0 is used again, so 1 is the oldest when 2 comes
		verifyCached(t, c, chains[i])
	}
	if hits, misses := c.stats(); hits != 1 || misses != 3 {
		t.Fatalf("hits/misses = %d/%d, want 1/3", hits, misses)
	}
	if _, ok := c.get(chainKeyOf(chains[1]), 0); ok {
		t.Fatal("the least recently used chain was kept")
	}
	for _, i := range []int{0, 2} {
		if _, ok := c.get(chainKeyOf(chains[i]), 0); !ok {
			t.Fatalf("chain %d was evicted", i)
		}
	}
	if c.len() != 2 || c.weight != 2*first.weight {
		t.Fatalf("cache holds %d chains weighing %d, want 2 weighing %d", c.len(), c.weight, 2*first.weight)
	}
	if verifyCached(t, newChainCache(first.weight-1), chains[0]) != nil {
		t.Fatal("a chain heavier than the whole cache was kept")
	}
}

// TestChainCacheConcurrentRequests runs one chain's requests from many
// goroutines (run with -race).
func TestChainCacheConcurrentRequests(t *testing.T) {
	f := newChainFixture(t, testNow.Add(time.Hour))
	bodies := make([][]byte, 80)
	for i := range bodies {
		req := newRequest("query", f.user.Sender())
		req.Nonce = []byte{byte(i)}
		bodies[i] = delegatedEnvelope(t, f.user, f.session, f.chain, req)
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(bodies))
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(bodies); i += 8 {
				rec := post(t, f.h, "/api/v2/canister/"+testCanister.String()+"/query", "application/cbor", bodies[i])
				if rec.Code != http.StatusOK {
					errs <- rec.Body.String()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if hits, misses := f.h.chains.stats(); hits+misses != 80 || f.h.chains.len() != 1 {
		t.Fatalf("hits %d + misses %d, %d chains cached; want 80 lookups of 1 chain", hits, misses, f.h.chains.len())
	}
}

// delegatedDecoded is a decoded call of a fresh user through a fresh
// one-link chain.
func delegatedDecoded(t *testing.T) *decoded {
	t.Helper()
	user, _ := ed25519Identity(t)
	session, _ := ed25519Identity(t)
	chain := []map[string]any{signedDelegationFor(t, user, session.PublicKey(), testNow.Add(time.Hour), []principal.Principal{testCanister})}
	d, err := decodeEnvelope(delegatedEnvelope(t, user, session, chain, newRequest(agent.RequestTypeCall, user.Sender())), "call")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// verifyCached authenticates d's chain through c and returns c's entry
// for it, nil if c did not keep it.
func verifyCached(t *testing.T, c *chainCache, d *decoded) *cachedChain {
	t.Helper()
	if _, _, err := c.verify(d.env.SenderPubKey, d.env.SenderDelegation, testNow, nil); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[chainKeyOf(d)]
	if !ok {
		return nil
	}
	return el.Value.(*cachedChain)
}

func chainKeyOf(d *decoded) [32]byte {
	return chainKey(nil, d.env.SenderPubKey, d.env.SenderDelegation)
}
