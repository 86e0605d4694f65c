package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/registry"
)

// The platform API (canistry.platform.v1) is served over the registry
// canister, as the caller: the request's delegation must allow the
// registry, and the gateway calls it with that delegation, so the
// registry's own role checks decide. The registry's Candid stays here;
// clients see protobuf.

// registryMajor is the registry protocol this gateway speaks: registry/1.x.y.
const registryMajor = 1

// platform is what the three platform services share.
type platform struct {
	g  *Gateway
	id principal.Principal // no Raw: no registry configured

	mu      sync.Mutex
	checked time.Time // when the registry's protocol was last read and accepted
}

// noRegistry answers every platform method of a gateway without one:
// failed_precondition, since the gateway's configuration lacks it (an
// operator's fix); unimplemented's HTTP 501 would read as the gateway
// failing. A new error each time: a *connect.Error carries mutable
// metadata.
func noRegistry() error {
	return errorf(connect.CodeFailedPrecondition,
		"this gateway serves no platform API: it was started without a registry canister (--registry ID or CANISTRY_REGISTRY)")
}

// registry authorizes the request for the registry canister and returns a
// client of it acting as the request's user.
func (p *platform) registry(ctx context.Context, h http.Header) (*registry.Client, error) {
	reg, _, err := p.registryAs(ctx, h)
	return reg, err
}

// registryAs is registry and the user it acts as.
func (p *platform) registryAs(ctx context.Context, h http.Header) (*registry.Client, principal.Principal, error) {
	if len(p.id.Raw) == 0 {
		return nil, principal.Principal{}, noRegistry()
	}
	user, err := p.g.authorize(h, p.id)
	if err != nil {
		return nil, principal.Principal{}, err
	}
	if err := p.negotiate(ctx); err != nil {
		return nil, principal.Principal{}, err
	}
	return registry.New(roleGate{p.g.users.As(user.Chain)}, p.id), user.Sender, nil
}

// negotiate reads the registry's certified canistry:protocol (at most once
// per negotiation TTL) and refuses another major version: its Candid
// could differ from what this gateway encodes.
func (p *platform) negotiate(ctx context.Context) error {
	p.mu.Lock()
	fresh := time.Since(p.checked) < p.g.neg.ttl
	p.mu.Unlock()
	if fresh {
		return nil
	}
	info, err := p.g.ic.CanisterInfo(ctx, p.id)
	if err != nil {
		var ce *connect.Error
		if err = negotiationError(p.id, err); errors.As(err, &ce) && ce.Code() == connect.CodeNotFound {
			// A gateway pointed at a missing registry is misconfigured; the
			// client asked for nothing that does not exist.
			return errorf(connect.CodeFailedPrecondition, "the gateway's registry canister %s does not exist", p.id)
		}
		return err
	}
	if err := checkRegistryProtocol(info.Protocol); err != nil {
		return errorf(connect.CodeUnimplemented, "registry canister %s: %v", p.id, err)
	}
	p.mu.Lock()
	p.checked = time.Now()
	p.mu.Unlock()
	return nil
}

// checkRegistryProtocol accepts registry/1.x.y.
func checkRegistryProtocol(text string) error {
	name, v, err := parseProtocol(text)
	if err != nil {
		return err
	}
	if name != "registry" || v.Segments()[0] != registryMajor {
		return fmt.Errorf("it speaks %s; this gateway speaks registry/%d.x", text, registryMajor)
	}
	return nil
}
