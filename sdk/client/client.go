// Package client is for Go programs that call a Canistry gateway with
// Connect: a Session delegates from the user's agent-go identity to the
// gateway's key and attaches the delegation to every request as the
// Canistry-Delegation header, making a new one before the old expires.
//
//	key, _ := client.GatewayKey(ctx, http.DefaultClient, gatewayURL)
//	s := client.NewSession(userIdentity, key, client.Options{Targets: []principal.Principal{myCanister}})
//	c := personalv1connect.NewPersonalServiceClient(http.DefaultClient, gatewayURL,
//		connect.WithInterceptors(s.Interceptor()))
package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/delegated"
	sessionv1 "github.com/canistry/canistry/internal/gen/canistry/session/v1"
	"github.com/canistry/canistry/internal/gen/canistry/session/v1/sessionv1connect"
)

// Header is the request header the delegation travels in.
const Header = "Canistry-Delegation"

// GatewayKey asks the gateway at baseURL for its key (DER), which needs
// no authentication.
func GatewayKey(ctx context.Context, hc *http.Client, baseURL string) ([]byte, error) {
	c := sessionv1connect.NewSessionServiceClient(hc, strings.TrimRight(baseURL, "/"))
	resp, err := c.GetGatewayKey(ctx, connect.NewRequest(&sessionv1.GetGatewayKeyRequest{}))
	if err != nil {
		return nil, err
	}
	if len(resp.Msg.GetPublicKey()) == 0 {
		return nil, errors.New("client: the gateway returned no key")
	}
	return resp.Msg.GetPublicKey(), nil
}

// Options shape the delegations a Session makes.
type Options struct {
	// Targets limits the delegation to these canisters; nil: every one.
	Targets []principal.Principal
	// TTL is how long each delegation is valid (default 1 h).
	TTL time.Duration
	// Renew is how long before expiry a new delegation is made (default
	// TTL/4): a request in flight must not outlive its delegation.
	Renew time.Duration
}

// Session makes and renews delegations from one identity to one gateway
// key. It is safe for concurrent use.
type Session struct {
	id   identity.Identity
	key  []byte
	opts Options
	now  func() time.Time

	mu      sync.Mutex
	header  string
	expires time.Time
}

// NewSession delegates from id to gatewayKey (DER).
func NewSession(id identity.Identity, gatewayKey []byte, opts Options) *Session {
	if opts.TTL <= 0 {
		opts.TTL = time.Hour
	}
	if opts.Renew <= 0 || opts.Renew >= opts.TTL {
		opts.Renew = opts.TTL / 4
	}
	return &Session{id: id, key: gatewayKey, opts: opts, now: time.Now}
}

// Header is the current Canistry-Delegation value, made anew once the
// current one is within Renew of its expiry.
func (s *Session) Header() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.header != "" && now.Before(s.expires.Add(-s.opts.Renew)) {
		return s.header, nil
	}
	expires := now.Add(s.opts.TTL)
	chain, err := delegated.Delegate(s.id, s.key, expires, s.opts.Targets, nil)
	if err != nil {
		return "", err
	}
	h, err := chain.Header()
	if err != nil {
		return "", err
	}
	s.header, s.expires = h, expires
	return h, nil
}

// Interceptor sets the header on every unary and streaming request.
func (s *Session) Interceptor() connect.Interceptor { return interceptor{s} }

type interceptor struct{ s *Session }

func (i interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		h, err := i.s.Header()
		if err != nil {
			return nil, connect.NewError(connect.CodeInternal, err)
		}
		req.Header().Set(Header, h)
		return next(ctx, req)
	}
}

func (i interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if h, err := i.s.Header(); err == nil {
			conn.RequestHeader().Set(Header, h)
		}
		return conn
	}
}

func (i interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
