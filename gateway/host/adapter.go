package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/internal/adapterproto"
)

// ErrAdapterCrashed is the answer to a request whose adapter process died
// while serving it and that could not be retried: an update, which may or
// may not have reached the canister, or a query whose one retry failed too.
var ErrAdapterCrashed = errors.New("adapter process crashed while serving the request")

// Adapter is one supervised adapter: a long-lived process, restarted with
// backoff when it dies.
type Adapter struct {
	src      Source
	manifest *Manifest
	host     *Host
	log      *slog.Logger

	mu    sync.Mutex
	proc  *process      // nil while (re)starting
	ready chan struct{} // closed once proc is set

	lostCh   chan struct{}
	restarts atomic.Int64
	fair     *fairShare
}

// Manifest is what the adapter declared at start.
func (a *Adapter) Manifest() *Manifest { return a.manifest }

// Name is the adapter's declared name.
func (a *Adapter) Name() string { return a.manifest.Name }

// Restarts counts how often the adapter's process was restarted.
func (a *Adapter) Restarts() int64 { return a.restarts.Load() }

// Invoke runs fn against the adapter's process with a capability token for
// scope in the outgoing gRPC metadata (canistry-canister,
// canistry-protocol, canistry-ic-broker, canistry-ic-token). The token is
// revoked when fn returns.
//
// A canister past its share of requests in flight is refused with
// ErrCanisterBusy. When the process dies while fn runs, the adapter is
// restarted; an idempotent request (a query) is then retried once on the
// new process, any other fails with ErrAdapterCrashed: an update is never
// retried blindly, it may have reached the canister.
func (a *Adapter) Invoke(ctx context.Context, scope *Scope, idempotent bool, fn func(context.Context, grpc.ClientConnInterface) error) error {
	key := scope.Canister.String()
	if err := a.fair.acquire(key, a.Name()); err != nil {
		return err
	}
	defer a.fair.release(key)
	for attempt := 0; ; attempt++ {
		p, err := a.current(ctx)
		if err != nil {
			return err
		}
		err = a.invokeOn(ctx, p, scope, fn)
		if err == nil || !a.diedDuring(p, err) {
			return err
		}
		a.lost(p)
		if !idempotent || attempt > 0 {
			return fmt.Errorf("adapter %s: %w", a.Name(), ErrAdapterCrashed)
		}
		a.log.Warn("adapter died during a query; retrying it once on the restarted adapter", "adapter", a.Name())
	}
}

func (a *Adapter) invokeOn(ctx context.Context, p *process, scope *Scope, fn func(context.Context, grpc.ClientConnInterface) error) error {
	tok, err := a.host.tokens.grant(scope)
	if err != nil {
		return fmt.Errorf("capability token: %w", err)
	}
	defer a.host.tokens.revoke(tok)
	ctx = metadata.AppendToOutgoingContext(ctx,
		adapterproto.MetaCanister, scope.Canister.String(),
		adapterproto.MetaProtocol, scope.Protocol,
		adapterproto.MetaIcBroker, strconv.FormatUint(uint64(p.offer.brokerID()), 10),
		adapterproto.MetaIcToken, tok,
	)
	err = fn(ctx, p.conn.cc)
	// The adapter's answer may come from replies handed over early: it
	// stands only if their certificates verified.
	if verr := scope.checks.settle(); verr != nil {
		return verr
	}
	return err
}

// diedDuring tells a transport failure of a dying process from an
// adapter's own Unavailable answer: the adapter's answers carry a message
// it chose (and usually an IcReject detail), a dead process shows as an
// Unavailable without details while the process exits. Exiting is noticed
// by go-plugin a moment after the connection breaks, hence the short wait.
func (a *Adapter) diedDuring(p *process, err error) bool {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unavailable || len(st.Details()) > 0 {
		return false
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	for {
		if p.exited() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// current is the running process, waiting while the adapter restarts.
func (a *Adapter) current(ctx context.Context) (*process, error) {
	a.mu.Lock()
	p, ready := a.proc, a.ready
	a.mu.Unlock()
	if p != nil {
		return p, nil
	}
	select {
	case <-ready:
		return a.current(ctx)
	case <-a.host.done:
		return nil, fmt.Errorf("adapter %s: host closed", a.Name())
	case <-ctx.Done():
		return nil, fmt.Errorf("adapter %s is restarting: %w", a.Name(), ctx.Err())
	}
}

// lost takes p out of service and wakes the supervisor to restart it.
func (a *Adapter) lost(p *process) {
	a.mu.Lock()
	current := a.proc == p
	if current {
		a.proc = nil
		a.ready = make(chan struct{})
	}
	a.mu.Unlock()
	// Only the first request to see p die wakes the supervisor: the others
	// must not make it restart the process that replaced p.
	if current {
		go p.kill() // releases go-plugin's resources of the dead process
		select {
		case a.lostCh <- struct{}{}:
		default:
		}
	}
}

func (a *Adapter) install(p *process) {
	a.mu.Lock()
	a.proc = p
	close(a.ready)
	a.mu.Unlock()
}

// PID is the process id of the adapter's current process, 0 while it
// restarts (for operators and tests that need to signal it).
func (a *Adapter) PID() int {
	a.mu.Lock()
	p := a.proc
	a.mu.Unlock()
	if p == nil {
		return 0
	}
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}
