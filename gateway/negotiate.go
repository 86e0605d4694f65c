package gateway

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/hashicorp/go-version"

	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
)

// binding is what the gateway knows about a canister: its protocol and
// the adapter serving it.
type binding struct {
	canister   principal.Principal
	protocol   string // e.g. "personal/2.0.0"
	name       string // e.g. "personal"
	version    *version.Version
	moduleHash []byte
	adapter    *host.Adapter
	checked    time.Time
}

// canisterInfo reads a canister's certified protocol and module hash;
// *ic.Client is one.
type canisterInfo interface {
	CanisterInfo(ctx context.Context, canister principal.Principal) (ic.CanisterInfo, error)
}

// negotiator caches bindings per canister. A binding is re-read after ttl
// (cheap: one certified read_state, and the adapter is kept when the
// module hash did not change) and at once when invalidated, which the
// gateway does when a call shows that the canister's interface changed.
type negotiator struct {
	info canisterInfo
	host *host.Host
	ttl  time.Duration

	// hits and misses count lookups answered from the cache and those
	// that needed a read_state (for the metrics).
	hits, misses atomic.Uint64

	mu       sync.Mutex
	bindings map[string]*binding
	inflight map[string]*refresh
}

// refresh is one read_state in flight, shared by every request for that
// canister that arrives meanwhile.
type refresh struct {
	done chan struct{}
	b    *binding
	err  error
}

func newNegotiator(info canisterInfo, h *host.Host, ttl time.Duration) *negotiator {
	return &negotiator{info: info, host: h, ttl: ttl, bindings: map[string]*binding{}, inflight: map[string]*refresh{}}
}

func (n *negotiator) get(ctx context.Context, canister principal.Principal) (*binding, error) {
	key := canister.String()
	n.mu.Lock()
	if b, ok := n.bindings[key]; ok && time.Since(b.checked) < n.ttl {
		n.mu.Unlock()
		n.hits.Add(1)
		return b, nil
	}
	n.misses.Add(1)
	r, ok := n.inflight[key]
	if !ok {
		r = &refresh{done: make(chan struct{})}
		n.inflight[key] = r
		go n.refresh(canister, r)
	}
	n.mu.Unlock()
	select {
	case <-r.done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// refresh runs detached from any one request, so that a request that gives
// up does not fail the others waiting for the same answer.
func (n *negotiator) refresh(canister principal.Principal, r *refresh) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.b, r.err = n.negotiate(ctx, canister)
	key := canister.String()
	n.mu.Lock()
	if r.err == nil {
		n.bindings[key] = r.b
	} else {
		delete(n.bindings, key)
	}
	delete(n.inflight, key)
	n.mu.Unlock()
	close(r.done)
}

func (n *negotiator) negotiate(ctx context.Context, canister principal.Principal) (*binding, error) {
	info, err := n.info.CanisterInfo(ctx, canister)
	if err != nil {
		return nil, negotiationError(canister, err)
	}
	n.mu.Lock()
	old := n.bindings[canister.String()]
	n.mu.Unlock()
	if old != nil && bytes.Equal(old.moduleHash, info.ModuleHash) && old.protocol == info.Protocol {
		b := *old
		b.checked = time.Now()
		return &b, nil
	}
	name, v, err := parseProtocol(info.Protocol)
	if err != nil {
		return nil, errorf(connect.CodeFailedPrecondition, "canister %s: %v", canister, err)
	}
	a, ok := n.host.Resolve(name, v)
	if !ok {
		return nil, errorf(connect.CodeUnimplemented, "canister %s speaks %s, which no adapter of this gateway serves", canister, info.Protocol)
	}
	return &binding{
		canister: canister, protocol: name + "/" + v.String(), name: name, version: v,
		moduleHash: info.ModuleHash, adapter: a, checked: time.Now(),
	}, nil
}

// awaitNewModule gives the certified state a moment to show the module a
// call has already met: a query runs on the newest state, but read_state
// answers from certified state, which can lag behind by a round. Without
// the wait the query's one retry could go to the old adapter again. Best
// effort: it gives up after about a second, and on any error.
func (n *negotiator) awaitNewModule(ctx context.Context, canister principal.Principal, old []byte) {
	for i := 1; i <= 4; i++ {
		b, err := n.get(ctx, canister)
		if err != nil || !bytes.Equal(b.moduleHash, old) {
			return
		}
		n.invalidate(canister)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(i) * 100 * time.Millisecond):
		}
	}
}

func (n *negotiator) invalidate(canister principal.Principal) {
	n.mu.Lock()
	delete(n.bindings, canister.String())
	n.mu.Unlock()
}

// parseProtocol splits "personal/2.0.0" into its name and semver.
func parseProtocol(text string) (string, *version.Version, error) {
	name, ver, ok := strings.Cut(strings.TrimSpace(text), "/")
	if !ok || name == "" {
		return "", nil, fmt.Errorf("%s metadata %q: want <name>/<semver>, e.g. personal/2.0.0", ic.ProtocolMetadata, text)
	}
	v, err := version.NewSemver(ver)
	if err != nil {
		return "", nil, fmt.Errorf("%s metadata %q: %w", ic.ProtocolMetadata, text, err)
	}
	return name, v, nil
}

// stats are the cache's hits and misses so far.
func (n *negotiator) stats() (hits, misses uint64) { return n.hits.Load(), n.misses.Load() }
