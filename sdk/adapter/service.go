package adapter

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/grpc"
)

// ServiceBinding joins one version of a stable client API to the plugin:
// its name, the capabilities it defines, how to tell that an adapter
// implements it and how to serve that implementation. Each API version's
// package (sdk/adapter/personalv1, and a personalv2 beside it later)
// registers its binding when it is imported, as database/sql drivers do, so
// Validate and Serve know every API the adapter's own imports brought in.
type ServiceBinding struct {
	Service      Service
	Capabilities []Capability
	// Implements reports whether a implements the API.
	Implements func(a Adapter) bool
	// Register serves a's implementation of the API on s; calls builds
	// each request's Call.
	Register func(s grpc.ServiceRegistrar, a Adapter, calls Calls)
}

// Calls builds the Call of one request from its gRPC context (the metadata
// the host sets on it).
type Calls interface {
	CallFromContext(ctx context.Context) (Call, error)
}

var bindings struct {
	sync.RWMutex
	m map[Service]ServiceBinding
}

// RegisterService makes an API version known to the SDK. It panics on a
// second binding of the same service: two packages claiming one API is a
// build mistake, not a runtime condition.
func RegisterService(b ServiceBinding) {
	if b.Service == "" || b.Implements == nil || b.Register == nil {
		panic("adapter: RegisterService needs a service name, Implements and Register")
	}
	bindings.Lock()
	defer bindings.Unlock()
	if _, dup := bindings.m[b.Service]; dup {
		panic(fmt.Sprintf("adapter: service %s registered twice", b.Service))
	}
	if bindings.m == nil {
		bindings.m = map[Service]ServiceBinding{}
	}
	bindings.m[b.Service] = b
}

func bindingOf(s Service) (ServiceBinding, bool) {
	bindings.RLock()
	defer bindings.RUnlock()
	b, ok := bindings.m[s]
	return b, ok
}
