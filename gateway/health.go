package gateway

import (
	"sync"

	"connectrpc.com/grpchealth"

	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
)

// AdapterHealthPrefix prefixes each adapter's name in grpchealth, e.g.
// "canistry.adapter.personal2".
const AdapterHealthPrefix = "canistry.adapter."

// Health is the gateway's grpchealth state: one entry per adapter, and
// the stable service, which is serving while every adapter is.
type Health struct {
	checker *grpchealth.StaticChecker

	mu   sync.Mutex
	down map[string]bool
}

// NewHealth starts with the stable service serving and no adapters.
func NewHealth() *Health {
	return &Health{checker: grpchealth.NewStaticChecker(personalv1connect.PersonalServiceName), down: map[string]bool{}}
}

// Set records an adapter's health; it fits host.Config.OnHealth.
func (h *Health) Set(adapter string, serving bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down[adapter] = !serving
	h.checker.SetStatus(AdapterHealthPrefix+adapter, healthStatus(serving))
	all := true
	for _, d := range h.down {
		all = all && !d
	}
	h.checker.SetStatus(personalv1connect.PersonalServiceName, healthStatus(all))
}

func healthStatus(serving bool) grpchealth.Status {
	if serving {
		return grpchealth.StatusServing
	}
	return grpchealth.StatusNotServing
}

// Checker is the state as a grpchealth.Checker, for serving it elsewhere.
func (h *Health) Checker() grpchealth.Checker { return h.checker }

// serving is each adapter's last reported health.
func (h *Health) serving() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool, len(h.down))
	for name, d := range h.down {
		out[name] = !d
	}
	return out
}
