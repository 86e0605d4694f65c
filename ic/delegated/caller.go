package delegated

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/ic"
)

// Sender sends requests for users whose chains end at its session key.
// One Sender serves every user; it keeps only the subnets' node keys.
type Sender struct {
	client  *agent.Client
	rootKey []byte
	key     identity.Identity
	nodes   *nodeKeys
	certs   *ic.Certs
	// certsErr is why the root key cannot verify certificates.
	certsErr error
	// PollInterval is how often an update's status is read when the IC
	// answers 202 instead of the certificate.
	PollInterval time.Duration
	// PollTimeout bounds the wait for an update's reply.
	PollTimeout time.Duration
	// NodeKeysMaxAge bounds how long the certified node keys of a subnet
	// are trusted without reading them again; zero takes
	// DefaultNodeKeysMaxAge. Set it before the first query.
	NodeKeysMaxAge time.Duration
}

// NewSender sends through base's HTTP client and trusts base's root key;
// key is the session key chains must end at (the gateway's key).
func NewSender(base *ic.Client, key identity.Identity) *Sender {
	a := base.Agent()
	s := &Sender{client: a.Client(), rootKey: a.GetRootKey(), key: key,
		PollInterval: 200 * time.Millisecond, PollTimeout: 30 * time.Second}
	s.nodes = &nodeKeys{read: s.readState, maxAge: func() time.Duration { return s.NodeKeysMaxAge }}
	s.certs, s.certsErr = ic.NewCerts(s.rootKey)
	return s
}

// Key is the session key's DER public key.
func (s *Sender) Key() []byte { return s.key.PublicKey() }

// RootKey is the DER root key certificates (and canister signatures) are
// checked against.
func (s *Sender) RootKey() []byte { return s.rootKey }

// As is a caller acting as chain's user. The chain must end at Key and be
// verified by the caller of As; the IC verifies it again.
func (s *Sender) As(chain *Chain) *Caller {
	return &Caller{s: s, sig: newSigner(s.key, chain)}
}

// Own is a caller acting as the session key itself, without delegation:
// the same requests with no sender_delegation, which is what the cost of
// a delegation is measured against.
func (s *Sender) Own() *Caller {
	return &Caller{s: s, sig: newSigner(s.key, nil)}
}

// Caller makes queries and updates as one user; it has the methods of
// ic.Client that the gateway's host uses.
type Caller struct {
	s   *Sender
	sig *signer
}

// Sender is the user the caller acts as.
func (c *Caller) Sender() principal.Principal { return c.sig.sender }

// RefusedError is the IC refusing a delegated request's authentication
// (HTTP 400 or 403: a delegation it does not accept).
type RefusedError struct {
	*ic.HTTPError
}

// classify turns agent-go client errors into *ic.Reject, *RefusedError
// or *ic.HTTPError where they are one.
func classify(kind string, canister principal.Principal, method string, err error) error {
	if r, ok := ic.AsReject(err); ok {
		return r
	}
	if h, ok := ic.AsHTTPError(err); ok {
		if h.Status == 400 || h.Status == 403 {
			return &RefusedError{h}
		}
		return fmt.Errorf("%s %s.%s: %w", kind, canister, method, h)
	}
	return fmt.Errorf("%s %s.%s: %w", kind, canister, method, err)
}

// Query makes a query and verifies the replica's signature on the answer
// as agent-go does.
func (c *Caller) Query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	req, err := c.sig.request(agent.RequestTypeQuery, canister, method, arg)
	if err != nil {
		return nil, err
	}
	id, data, err := c.sig.sign(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, ingressExpiry)
	defer cancel()
	raw, err := c.s.client.Query(ctx, canister, data)
	if err != nil {
		return nil, classify("query", canister, method, err)
	}
	var resp agent.Response
	if err := cbor.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("query %s.%s: malformed answer: %w", canister, method, err)
	}
	if err := c.s.nodes.verify(ctx, canister, id, &resp); err != nil {
		return nil, &UnverifiedError{Kind: "query", Err: fmt.Errorf("%s.%s: %w", canister, method, err)}
	}
	switch resp.Status {
	case "replied":
		var reply struct {
			Arg []byte `cbor:"arg"`
		}
		if err := cbor.Unmarshal(resp.Reply, &reply); err != nil {
			return nil, fmt.Errorf("query %s.%s: malformed reply: %w", canister, method, err)
		}
		return reply.Arg, nil
	case "rejected":
		return nil, &ic.Reject{RejectCode: uint32(resp.RejectCode), ErrorCode: resp.ErrorCode, Message: resp.RejectMsg}
	}
	return nil, fmt.Errorf("query %s.%s: unknown status %q", canister, method, resp.Status)
}

// Call makes an update call and waits for its certified outcome.
func (c *Caller) Call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	reply, verified, err := c.CallEarly(ctx, canister, method, arg)
	if err != nil {
		return nil, err
	}
	if err := verified(); err != nil {
		return nil, err
	}
	return reply, nil
}

// CallEarly is Call handing over a reply while the certificate it came in
// is still being verified, on another goroutine: verified waits for that
// check (nil: the reply is the IC's) and may be called any number of
// times. Until it returns nil, nothing derived from reply may reach anyone
// or cause another request. It lets the gateway's adapter decode a reply
// during the millisecond a BLS check takes. A reject, a polled outcome
// and every error come verified: verified returns nil at once.
func (c *Caller) CallEarly(ctx context.Context, canister principal.Principal, method string, arg []byte) (reply []byte, verified func() error, err error) {
	req, err := c.sig.request(agent.RequestTypeCall, canister, method, arg)
	if err != nil {
		return nil, nil, err
	}
	id, data, err := c.sig.sign(req)
	if err != nil {
		return nil, nil, err
	}
	callCtx, cancel := context.WithTimeout(ctx, ingressExpiry)
	defer cancel()
	raw, err := c.s.client.Call(callCtx, canister, data)
	if err != nil {
		return nil, nil, classify("call", canister, method, err)
	}
	if len(raw) != 0 {
		var cert certification.Certificate
		if err := cbor.Unmarshal(raw, &cert); err != nil {
			return nil, nil, fmt.Errorf("call %s.%s: malformed certificate: %w", canister, method, err)
		}
		check := func() error {
			if err := c.s.verifyCert(&cert, canister); err != nil {
				return &UnverifiedError{Kind: "call", Err: fmt.Errorf("%s.%s: %w", canister, method, err)}
			}
			return nil
		}
		reply, done, err := ic.Outcome(cert.Tree, id)
		if done && err == nil {
			return reply, inBackground(check), nil
		}
		if verr := check(); verr != nil {
			return nil, nil, verr
		}
		if done {
			return nil, nil, err
		}
	}
	reply, err = c.poll(ctx, canister, method, id)
	return reply, settled, err
}

// inBackground starts check and returns what waits for its result.
//
// The check yields once before it starts: it is about 1 ms of BLS
// arithmetic that never yields on its own, and the reply it runs beside
// is on its way to the adapter through gRPC, whose writer yields
// (runtime.Gosched) before it flushes a small batch. Without the yield
// the check took the processor the writer had just left, and on a
// 2-core machine the reply reached the adapter only after the check.
func inBackground(check func() error) func() error {
	result := make(chan error, 1)
	go func() {
		runtime.Gosched()
		result <- check()
	}()
	return sync.OnceValue(func() error { return <-result })
}

func settled() error { return nil }

// poll reads the request's status (as the same sender: the IC shows a
// request's status only to it) until it is replied or rejected.
func (c *Caller) poll(ctx context.Context, canister principal.Principal, method string, id agent.RequestID) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.s.PollTimeout)
	defer cancel()
	tick := time.NewTicker(c.s.PollInterval)
	defer tick.Stop()
	path := []hashtree.Label{hashtree.Label("request_status"), id[:]}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("call %s.%s: waiting for the reply: %w", canister, method, ctx.Err())
		case <-tick.C:
		}
		cert, err := c.readState(ctx, canister, [][]hashtree.Label{path})
		if err != nil {
			return nil, fmt.Errorf("call %s.%s: %w", canister, method, err)
		}
		if reply, done, err := ic.Outcome(cert.Tree, id); done {
			return reply, err
		}
	}
}

func (c *Caller) readState(ctx context.Context, canister principal.Principal, paths [][]hashtree.Label) (*certification.Certificate, error) {
	return c.s.readStateAs(ctx, c.sig, canister, paths)
}

// readState reads certified state as the session key itself (node keys
// are public to every sender).
func (s *Sender) readState(ctx context.Context, canister principal.Principal, paths [][]hashtree.Label) (*certification.Certificate, error) {
	return s.readStateAs(ctx, nil, canister, paths)
}

func (s *Sender) readStateAs(ctx context.Context, sig *signer, canister principal.Principal, paths [][]hashtree.Label) (*certification.Certificate, error) {
	var data []byte
	var err error
	if sig != nil {
		_, data, err = sig.sign(sig.readState(paths))
	} else {
		data, err = s.ownReadState(paths)
	}
	if err != nil {
		return nil, err
	}
	raw, err := s.client.ReadState(ctx, canister, data)
	if err != nil {
		return nil, classify("read_state", canister, "", err)
	}
	var resp struct {
		Certificate []byte `cbor:"certificate"`
	}
	if err := cbor.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("read_state: malformed answer: %w", err)
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(resp.Certificate, &cert); err != nil {
		return nil, fmt.Errorf("read_state: malformed certificate: %w", err)
	}
	if err := cert.VerifyTime(ingressExpiry); err != nil {
		return nil, err
	}
	if err := s.verifyCert(&cert, canister); err != nil {
		return nil, &UnverifiedError{Kind: "read_state", Err: err}
	}
	return &cert, nil
}

// verifyCert checks cert's signatures for canister, as
// certification.VerifyCertificate does (see ic.Certs).
func (s *Sender) verifyCert(cert *certification.Certificate, canister principal.Principal) error {
	if s.certsErr != nil {
		return s.certsErr
	}
	return s.certs.Verify(cert, canister)
}

// ownReadState is a read_state signed by the session key as itself.
func (s *Sender) ownReadState(paths [][]hashtree.Label) ([]byte, error) {
	req := agent.Request{
		Type: agent.RequestTypeReadState, Sender: s.key.Sender(), Paths: paths,
		IngressExpiry: uint64(time.Now().Add(ingressExpiry).UnixNano()),
	}
	id := agent.NewRequestID(req)
	sig, err := id.Sign(s.key)
	if err != nil {
		return nil, err
	}
	return cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: s.key.PublicKey(), SenderSig: sig})
}
