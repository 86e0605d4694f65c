package ic

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// Config says where the Internet Computer is.
type Config struct {
	// URL of the replica or boundary node, e.g. http://127.0.0.1:4943.
	URL *url.URL
	// FetchRootKey trusts the root key the replica reports. Only for local
	// replicas: on mainnet the root key is built into agent-go.
	FetchRootKey bool
	// PollTimeout bounds how long an update call waits for its reply
	// (default 30 s; agent-go's own default of 10 s is short for installs).
	PollTimeout time.Duration
}

// Pool hands out one Client per identity. All of them share one HTTP
// transport, so connections to the replica are pooled across identities.
type Pool struct {
	cfg  Config
	http *http.Client

	mu      sync.Mutex
	clients map[string]*Client
}

// NewPool makes a pool for the IC at cfg.URL.
func NewPool(cfg Config) (*Pool, error) {
	if cfg.URL == nil {
		return nil, fmt.Errorf("ic: no URL")
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	return &Pool{cfg: cfg, http: &http.Client{Transport: newTransport()}, clients: map[string]*Client{}}, nil
}

// newTransport keeps enough idle connections for a busy gateway: Go's
// default of 2 per host would make every concurrent request beyond the
// second open a fresh TCP connection to the replica.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
}

// For is the client of id, made on first use.
func (p *Pool) For(id identity.Identity) (*Client, error) {
	key := id.Sender().String()
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	a, err := agent.New(agent.Config{
		Identity:     id,
		FetchRootKey: p.cfg.FetchRootKey,
		ClientConfig: []agent.ClientOption{agent.WithHostURL(p.cfg.URL), agent.WithHttpClient(p.http)},
		PollTimeout:  p.cfg.PollTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("ic: agent for %s at %s: %w", key, p.cfg.URL, err)
	}
	c := &Client{agent: a, identity: id, pollTimeout: p.cfg.PollTimeout}
	c.certs, c.certsErr = NewCerts(a.GetRootKey())
	p.clients[key] = c
	return c, nil
}

// Client calls canisters as one identity.
type Client struct {
	agent       *agent.Agent
	identity    identity.Identity
	pollTimeout time.Duration
	certs       *Certs
	// certsErr is why the root key cannot verify certificates; every
	// update fails with it rather than go unverified.
	certsErr error
}

// Sender is the principal the client calls as.
func (c *Client) Sender() principal.Principal { return c.identity.Sender() }

// Agent is the underlying agent-go agent, for admin tools that need the
// typed Candid calls of agent-go.
func (c *Client) Agent() *agent.Agent { return c.agent }

// Query makes a query call with a Candid-encoded argument and returns the
// Candid-encoded reply. A refusal of the IC is a *Reject. agent-go
// verifies the answer's node signatures against the subnet's certified
// node keys (read_state of /subnet, its certificate checked), since the
// pool never sets DisableSignedQueryVerification and skipVerification is
// false here.
func (c *Client) Query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	req, err := c.agent.CreateRawAPIRequest(agent.RequestTypeQuery, canister, method, arg)
	if err != nil {
		return nil, fmt.Errorf("query %s.%s: %w", canister, method, err)
	}
	var reply []byte
	if err := req.QueryWithContext(ctx, &reply, false); err != nil {
		return nil, wrapCallError("query", canister, method, err)
	}
	return reply, nil
}

// wrapCallError keeps a reject typed (the caller branches on its codes),
// and an HTTP refusal too, and gives every other failure its context.
func wrapCallError(kind string, canister principal.Principal, method string, err error) error {
	if r, ok := asReject(err); ok {
		return r
	}
	if h, ok := asHTTPError(err); ok {
		return fmt.Errorf("%s %s.%s: %w", kind, canister, method, h)
	}
	return fmt.Errorf("%s %s.%s: %w", kind, canister, method, err)
}
