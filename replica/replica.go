package replica

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/canistry/canistry/replica/certify"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/httpapi"
	"github.com/canistry/canistry/replica/state"
)

// Config configures a replica.
type Config struct {
	// StateDir holds the durable state; it is created when missing.
	StateDir string
	// Limits are the instruction limits per message; zero fields take the
	// IC's defaults.
	Limits exec.Limits
	// SyncCallTimeout bounds how long a synchronous call waits before the
	// client is told to poll (HTTP 202).
	SyncCallTimeout time.Duration
	// EvictIdleAfter is how long a canister's wasm instance stays in memory
	// unused before it is closed (restored from the store on next use);
	// zero takes DefaultEvictIdleAfter, negative never evicts.
	EvictIdleAfter time.Duration
	// MaxLiveInstances caps the live instances; beyond it the least
	// recently used are closed. Zero means no cap.
	MaxLiveInstances int
	// NewNodeKey replaces the node's signing key with a fresh one (kept
	// from then on) while the root and subnet keys and the state stay: the
	// subnet's certified node list changes, as when the IC replaces a node.
	// Clients caching node keys must pick the new one up.
	NewNodeKey bool
	Logger     *slog.Logger
}

// ImplVersion is reported by /api/v2/status.
const ImplVersion = "canistry-replica-0.1.0"

// Replica is a running local IC replica.
type Replica struct {
	cfg    Config
	log    *slog.Logger
	store  *state.Store
	engine *exec.Engine
	keys   *certify.Keys
	cert   *certify.Certifier

	// mu guards the canister map, the ingress history and the state tree.
	mu        sync.Mutex
	canisters map[string]*canister
	nextIndex uint64
	ingress   map[[32]byte]*ingressEntry
	tree      certify.Tree
	lastTime  uint64 // ns; replica time never goes backwards
	lastPrune time.Time
	// timers are the canisters with an active global timer.
	timers map[string]*canister
	// heartbeats are the canisters whose module exports canister_heartbeat;
	// lastHeartbeat is when they last ran (scheduler only).
	heartbeats    map[string]*canister
	lastHeartbeat time.Time
	// bounded are the canisters waiting on bounded-wait calls (scheduler only).
	bounded map[string]*canister
	// pending are inter-canister messages left for the next round. Only the
	// scheduler goroutine (and load, before it starts) touches them.
	pending   []*state.Message
	snapshots snapshotIndex // canister snapshot records; see snapshot.go
	// live are the canisters with a live instance; lastEvict is when the
	// scheduler last scanned them (see evict.go).
	live      liveSet
	lastEvict time.Time
	evictions atomic.Uint64
	stats     stats // for the metrics

	certified atomic.Pointer[certify.Certified]
	failed    atomic.Pointer[error] // set when the disk refused a commit

	queue   chan *message
	stop    chan struct{}
	stopped chan struct{}
	handler http.Handler
}

// Open loads (or creates) the state in cfg.StateDir and starts the replica's
// scheduler. Serve its Handler over HTTP.
func Open(cfg Config) (*Replica, error) {
	if cfg.StateDir == "" {
		return nil, errors.New("replica: a state directory is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SyncCallTimeout == 0 {
		cfg.SyncCallTimeout = 10 * time.Second
	}
	if cfg.EvictIdleAfter == 0 {
		cfg.EvictIdleAfter = DefaultEvictIdleAfter
	}
	if cfg.MaxLiveInstances < 0 {
		return nil, fmt.Errorf("replica: MaxLiveInstances is %d, want 0 (no cap) or more", cfg.MaxLiveInstances)
	}
	store, err := state.Open(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	r := &Replica{
		cfg:        cfg,
		log:        cfg.Logger,
		store:      store,
		canisters:  make(map[string]*canister),
		ingress:    make(map[[32]byte]*ingressEntry),
		timers:     make(map[string]*canister),
		heartbeats: make(map[string]*canister),
		bounded:    make(map[string]*canister),
		queue:      make(chan *message, 1024),
		stop:       make(chan struct{}),
		stopped:    make(chan struct{}),
	}
	if err := r.load(); err != nil {
		store.Close()
		return nil, err
	}
	r.handler = r.withMetrics(httpapi.NewHandler(r, httpapi.Config{SyncCallTimeout: cfg.SyncCallTimeout}, r.log))
	go r.schedule()
	return r, nil
}

// Handler serves the IC HTTP interface.
func (r *Replica) Handler() http.Handler { return r.handler }

// Close stops the scheduler after the round in progress and closes the state.
func (r *Replica) Close() error {
	close(r.stop)
	<-r.stopped
	r.mu.Lock()
	for _, c := range r.canisters {
		c.close()
	}
	r.mu.Unlock()
	return r.store.Close()
}

// load restores keys, canisters and the ingress history, then certifies.
func (r *Replica) load() error {
	engine, err := exec.NewEngine(exec.Config{Limits: r.cfg.Limits})
	if err != nil {
		return fmt.Errorf("wasm engine: %w", err)
	}
	r.engine = engine
	if err := r.loadKeys(); err != nil {
		return err
	}
	cert, err := certify.NewCertifier(r.keys, time.Now())
	if err != nil {
		return fmt.Errorf("certifier: %w", err)
	}
	r.cert = cert
	for _, e := range r.keys.SubnetEntries() {
		r.tree = r.tree.Set(e.Path, e.Value)
	}
	if err := r.loadCanisters(); err != nil {
		return err
	}
	if err := r.snapshots.load(r.store); err != nil {
		return err
	}
	if err := r.loadIngress(); err != nil {
		return err
	}
	if err := r.loadQueue(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.certifyLocked()
}

func (r *Replica) loadKeys() error {
	raw, err := r.store.Meta("keys")
	if err != nil {
		return fmt.Errorf("read keys: %w", err)
	}
	r.keys = new(certify.Keys)
	if raw != nil {
		if err := r.keys.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("decode keys: %w", err)
		}
		if !r.cfg.NewNodeKey {
			return nil
		}
		if r.keys, err = r.keys.WithNewNodeKey(); err != nil {
			return err
		}
		r.log.Info("new node key", "node", r.keys.NodeID().String())
	} else if r.keys, err = certify.GenerateKeys(); err != nil {
		return fmt.Errorf("generate keys: %w", err)
	}
	raw, err = r.keys.MarshalBinary()
	if err != nil {
		return err
	}
	return r.store.Commit(&state.Batch{Meta: map[string][]byte{"keys": raw}})
}

// now is the replica's time: wall-clock nanoseconds, strictly increasing.
// Callers hold r.mu.
func (r *Replica) nowLocked() uint64 {
	t := uint64(time.Now().UnixNano())
	if t <= r.lastTime {
		t = r.lastTime + 1
	}
	r.lastTime = t
	return t
}

// certifyLocked signs the current tree as the newest certified state.
func (r *Replica) certifyLocked() error {
	c, err := r.cert.Certify(r.tree, time.Unix(0, int64(r.nowLocked())))
	if err != nil {
		return fmt.Errorf("certify state: %w", err)
	}
	r.certified.Store(c)
	r.stats.certified.Add(1)
	return nil
}

// freshCertified returns a certified state no older than maxCertAge, so
// that /time in certificates tracks the clock even while nothing changes.
func (r *Replica) freshCertified() (*certify.Certified, error) {
	c := r.certified.Load()
	if time.Since(c.Time()) < maxCertAge {
		return c, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c = r.certified.Load(); time.Since(c.Time()) < maxCertAge {
		return c, nil
	}
	if err := r.certifyLocked(); err != nil {
		return nil, err
	}
	return r.certified.Load(), nil
}

const maxCertAge = time.Second
