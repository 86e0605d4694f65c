package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/hashicorp/go-version"
)

// Config configures a Host.
type Config struct {
	// Sources are the adapters to run.
	Sources []Source
	// Logger gets the host's and the adapters' logs (nil: slog.Default()).
	Logger *slog.Logger
	// OnHealth, when set, is told whenever an adapter starts serving or
	// stops (named by the adapter's declared name).
	OnHealth func(adapter string, serving bool)
	// MaxInFlightPerCanister bounds each canister's requests in flight
	// through one adapter (default DefaultMaxInFlightPerCanister).
	MaxInFlightPerCanister int
}

// Host runs and supervises the adapters.
type Host struct {
	cfg      Config
	log      *slog.Logger
	ics      *icService
	tokens   *tokens
	adapters []*Adapter

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup
}

// Start starts every source and validates the set: each manifest must be
// well-formed (known services and capabilities), names unique, and no two
// adapters of one protocol may serve a common version — which adapter
// serves a canister must never be a per-request coin toss. Any failure
// stops the adapters already started and is returned.
func Start(ctx context.Context, cfg Config) (*Host, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Host{cfg: cfg, log: cfg.Logger, tokens: &tokens{}, done: make(chan struct{})}
	h.ics = &icService{tokens: h.tokens}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	procs, err := h.startAll(ctx)
	if err == nil {
		err = checkSet(procs)
	}
	if err != nil {
		for _, p := range procs {
			if p != nil {
				p.kill()
			}
		}
		h.cancel()
		return nil, err
	}
	for i, p := range procs {
		a := &Adapter{src: cfg.Sources[i], manifest: p.manifest, host: h, log: h.log, fair: newFairShare(cfg.MaxInFlightPerCanister),
			ready: make(chan struct{}), lostCh: make(chan struct{}, 1)}
		a.install(p)
		h.adapters = append(h.adapters, a)
		h.setHealth(a.Name(), true)
		h.log.Info("adapter ready", "adapter", a.Name(), "version", p.manifest.Version,
			"serves", p.manifest.Protocol+" "+p.manifest.ConstraintText, "source", cfg.Sources[i].Path)
		h.wg.Add(1)
		go func() { defer h.wg.Done(); a.supervise() }()
	}
	return h, nil
}

// startAll starts the sources in parallel: each start costs a fork and a
// TLS handshake, which would add up in series.
func (h *Host) startAll(ctx context.Context) ([]*process, error) {
	procs := make([]*process, len(h.cfg.Sources))
	errs := make([]error, len(h.cfg.Sources))
	var wg sync.WaitGroup
	for i, src := range h.cfg.Sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i], errs[i] = startProcess(ctx, src, h.log, h.ics)
		}()
	}
	wg.Wait()
	return procs, errors.Join(errs...)
}

// checkSet refuses duplicate names and overlapping constraints.
func checkSet(procs []*process) error {
	var errs []error
	for i, a := range procs {
		for _, b := range procs[i+1:] {
			if a.manifest.Name == b.manifest.Name {
				errs = append(errs, fmt.Errorf("two adapters are named %q", a.manifest.Name))
			}
			if v, ok := overlap(a.manifest, b.manifest); ok {
				errs = append(errs, fmt.Errorf("adapters %s (%s) and %s (%s) both serve %s/%s",
					a.manifest.Name, a.manifest.ConstraintText, b.manifest.Name, b.manifest.ConstraintText,
					a.manifest.Protocol, v))
			}
		}
	}
	return errors.Join(errs...)
}

// Adapters are the running adapters, in the order of Config.Sources.
func (h *Host) Adapters() []*Adapter { return h.adapters }

// Resolve is the adapter serving protocol (a name such as "personal") at
// version v; there is at most one.
func (h *Host) Resolve(protocol string, v *version.Version) (*Adapter, bool) {
	for _, a := range h.adapters {
		if a.manifest.Serves(protocol, v) {
			return a, true
		}
	}
	return nil, false
}

// Close stops the adapters.
func (h *Host) Close() {
	select {
	case <-h.done:
		return
	default:
	}
	close(h.done)
	h.cancel()
	h.wg.Wait()
}

func (h *Host) setHealth(name string, serving bool) {
	if h.cfg.OnHealth != nil {
		h.cfg.OnHealth(name, serving)
	}
}
