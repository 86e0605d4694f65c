package gateway

import (
	"context"
	"errors"
	"sync/atomic"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// call is one request's trip through an adapter.
type call[Req, Res any] struct {
	idempotent bool
	needs      []personalv1.Capability
	invoke     func(context.Context, personalv1.PersonalServiceClient, *Req) (*Res, error)
}

// forward routes, negotiates, checks capabilities and calls the adapter.
// When the call shows that the canister's interface changed under a cached
// binding (the IC says the method does not exist, or the Candid does not
// fit), the binding is dropped and re-negotiated; a query is then retried
// once, an update is not (it may have done part of its work).
func forward[Req, Res any](ctx context.Context, g *Gateway, req *connect.Request[Req], c call[Req, Res]) (*connect.Response[Res], error) {
	canister, err := route(req.Header())
	if err != nil {
		return nil, err
	}
	user, err := g.authorize(req.Header(), canister)
	if err != nil {
		return nil, err
	}
	caller := g.users.As(user.Chain)
	for attempt := 0; ; attempt++ {
		b, err := g.neg.get(ctx, canister)
		if err != nil {
			return nil, toConnectError(err)
		}
		if err := g.checkCapabilities(b, c.needs); err != nil {
			return nil, withProtocol(err, b)
		}
		res, changed, err := invoke(ctx, g.tracer, caller, b, req.Msg, c)
		if err == nil {
			resp := connect.NewResponse(res)
			resp.Header().Set(HeaderProtocol, b.protocol)
			return resp, nil
		}
		if !changed {
			return nil, withProtocol(toConnectError(err), b)
		}
		g.neg.invalidate(canister)
		g.log.Info("canister interface changed; re-negotiating", "canister", canister, "was", b.protocol, "err", err)
		if !c.idempotent {
			return nil, withProtocol(interfaceChangedError(err), b)
		}
		if attempt > 0 {
			return nil, withProtocol(toConnectError(err), b)
		}
		g.neg.awaitNewModule(ctx, canister, b.moduleHash)
	}
}

// invoke calls the adapter with a capability scoped to the canister and to
// the user: every IC call the adapter makes goes out as that user.
func invoke[Req, Res any](ctx context.Context, tr trace.Tracer, user host.IC, b *binding, msg *Req, c call[Req, Res]) (res *Res, changed bool, err error) {
	ctx, span, user := startAdapterSpan(ctx, tr, b, user)
	defer func() { endSpan(span, err) }()
	return invokeAdapter(ctx, user, b, msg, c)
}

func invokeAdapter[Req, Res any](ctx context.Context, user host.IC, b *binding, msg *Req, c call[Req, Res]) (*Res, bool, error) {
	var changed atomic.Bool
	scope := &host.Scope{
		Canister: b.canister, Protocol: b.protocol, IC: user,
		OnReject: func(r *ic.Reject) {
			if interfaceChanged(r) {
				changed.Store(true)
			}
		},
	}
	var res *Res
	err := b.adapter.Invoke(ctx, scope, c.idempotent, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		var err error
		res, err = c.invoke(ctx, personalv1.NewPersonalServiceClient(cc), msg)
		return err
	})
	return res, err != nil && (changed.Load() || candidMismatch(err)), err
}

// interfaceChanged tells the rejects that mean "this is not the canister
// the binding was made for" by the IC's own code: a missing method (IC0536).
func interfaceChanged(r *ic.Reject) bool {
	return r.MethodNotFound()
}

// candidMismatch is an adapter reporting, by its typed InterfaceMismatch
// detail, that the canister did not speak the interface it expected: the
// argument or the reply did not decode, or inspect refused an unknown
// method. Adapters know their canisters' conventions; the gateway reads
// only the detail.
func candidMismatch(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	for _, d := range st.Details() {
		if _, ok := d.(*adapterv1.InterfaceMismatch); ok {
			return true
		}
	}
	return false
}

// withProtocol tells the client, also on errors, which version answered.
func withProtocol(err error, b *binding) error {
	var ce *connect.Error
	if errors.As(err, &ce) {
		ce.Meta().Set(HeaderProtocol, b.protocol)
	}
	return err
}
