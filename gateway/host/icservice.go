package host

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"

	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// IC is how the host reaches the Internet Computer as one identity;
// *ic.Client and *delegated.Caller (a user, through their delegation)
// are ones.
type IC interface {
	Query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
	Call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
}

// EarlyCaller is an IC that can hand over an update's reply while the
// reply's certificate is still being verified (delegated.Caller.CallEarly).
// The host gives such a reply to the adapter at once and holds the
// adapter's answer, and the request's next IC call, until the check is
// done: the adapter decodes the reply while the BLS check runs, and
// nothing it derived from an answer that fails the check leaves the
// gateway or reaches the IC.
type EarlyCaller interface {
	CallEarly(ctx context.Context, canister principal.Principal, method string, arg []byte) (reply []byte, verified func() error, err error)
}

// Scope is what one adapter request may touch: one canister, as one
// identity.
type Scope struct {
	Canister principal.Principal
	// Protocol is the canister's negotiated protocol, e.g. "personal/2.0.0".
	Protocol string
	// IC calls as the identity of the request's user.
	IC IC
	// OnReject, when set, sees every reject the IC gave the adapter's
	// calls, so the gateway learns that a canister's interface changed.
	OnReject func(*ic.Reject)

	checks pendingChecks
}

// pendingChecks are the verifications of the replies handed to the adapter
// early; the first failure stays.
type pendingChecks struct {
	mu    sync.Mutex
	waits []func() error
	err   error
}

func (p *pendingChecks) add(verified func() error) {
	p.mu.Lock()
	p.waits = append(p.waits, verified)
	p.mu.Unlock()
}

// settle waits for every pending check and tells whether all passed.
func (p *pendingChecks) settle() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, verified := range p.waits {
		if err := verified(); err != nil && p.err == nil {
			p.err = err
		}
	}
	p.waits = nil
	return p.err
}

// tokens are the capability tokens of the requests in flight.
type tokens struct {
	m sync.Map // string → *Scope
}

// grant makes a token for s; revoke ends it.
func (t *tokens) grant(s *Scope) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b[:])
	t.m.Store(tok, s)
	return tok, nil
}

func (t *tokens) revoke(tok string) { t.m.Delete(tok) }

func (t *tokens) scope(tok string) (*Scope, error) {
	if s, ok := t.m.Load(tok); ok {
		return s.(*Scope), nil
	}
	return nil, status.Error(codes.PermissionDenied, "IcService: unknown or expired capability token (tokens are valid only while the request that carried them runs)")
}

// icService is the IcService every adapter process gets over its broker.
type icService struct {
	adapterv1.UnimplementedIcServiceServer
	tokens *tokens
}

func (s *icService) Query(ctx context.Context, req *adapterv1.QueryRequest) (*adapterv1.QueryResponse, error) {
	sc, err := s.tokens.scope(req.GetToken())
	if err != nil {
		return nil, err
	}
	if err := sc.checks.settle(); err != nil {
		return nil, icStatus(sc, err)
	}
	reply, err := sc.IC.Query(ctx, sc.Canister, req.GetMethod(), req.GetArg())
	if err != nil {
		return nil, icStatus(sc, err)
	}
	return &adapterv1.QueryResponse{Reply: reply}, nil
}

func (s *icService) Call(ctx context.Context, req *adapterv1.CallRequest) (*adapterv1.CallResponse, error) {
	sc, err := s.tokens.scope(req.GetToken())
	if err != nil {
		return nil, err
	}
	if err := sc.checks.settle(); err != nil {
		return nil, icStatus(sc, err)
	}
	reply, err := call(ctx, sc, req.GetMethod(), req.GetArg())
	if err != nil {
		return nil, icStatus(sc, err)
	}
	return &adapterv1.CallResponse{Reply: reply}, nil
}

// call makes the scope's update call, early where its IC can.
func call(ctx context.Context, sc *Scope, method string, arg []byte) ([]byte, error) {
	early, ok := sc.IC.(EarlyCaller)
	if !ok {
		return sc.IC.Call(ctx, sc.Canister, method, arg)
	}
	reply, verified, err := early.CallEarly(ctx, sc.Canister, method, arg)
	if err != nil {
		return nil, err
	}
	sc.checks.add(verified)
	return reply, nil
}

// icStatus turns an IC failure into the status the adapter sees: a reject
// keeps its codes in an IcReject detail (the SDK turns it back into an
// *adapter.ICError); an HTTP refusal of the request (too large, malformed)
// gets its code from the one table; anything else means the IC could not
// be reached.
func icStatus(sc *Scope, err error) error {
	// The IC refusing a user's delegated request is about the user's
	// authentication, whatever its HTTP status says.
	var unauth *delegated.RefusedError
	if errors.As(err, &unauth) {
		return status.Errorf(codes.Unauthenticated, "%v", unauth)
	}
	var rej *ic.Reject
	var refused *ic.HTTPError
	if !errors.As(err, &rej) {
		switch {
		case errors.Is(err, context.Canceled):
			return status.Error(codes.Canceled, err.Error())
		case errors.Is(err, context.DeadlineExceeded):
			return status.Error(codes.DeadlineExceeded, err.Error())
		case errors.As(err, &refused):
			return status.Error(codes.Code(refused.Code()), refused.Error())
		case errors.As(err, new(*delegated.UnverifiedError)):
			return status.Error(codes.Unavailable, err.Error())
		}
		return status.Errorf(codes.Unavailable, "Internet Computer unreachable: %v", err)
	}
	if sc.OnReject != nil {
		sc.OnReject(rej)
	}
	st := status.New(codes.Code(rej.Code()), rej.Message)
	withDetail, derr := st.WithDetails(&adapterv1.IcReject{
		RejectCode: rej.RejectCode, ErrorCode: rej.ErrorCode, Message: rej.Message,
	})
	if derr != nil {
		return st.Err()
	}
	return withDetail.Err()
}
