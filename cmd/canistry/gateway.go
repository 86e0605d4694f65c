package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
)

type gatewayFlags struct {
	replica        httpURL
	listen         listenAddr
	identity       string
	pluginDir      string
	builtins       adapterList
	fetchRootKey   rootKeyMode
	negotiationTTL positiveDuration
	nodeKeysTTL    positiveDuration
	logLevel       slog.Level
	limits         limitFlags
	registry       principalFlag
	otlpEndpoint   httpURL
}

const gatewayHelp = `Usage: canistry gateway --replica URL [flags]

Serves the stable API canistry.personal.v1.PersonalService (Connect, gRPC,
gRPC-Web; JSON and binary; HTTP/1.1 and h2c) with grpchealth and
grpcreflect, and with --registry the platform API canistry.platform.v1
(StoreService, InstallService, PublisherService) over that registry
canister, as the caller (the delegation's targets must allow it). Each request names its canister in the header
Canistry-Canister; the gateway reads the canister's certified
canistry:protocol metadata and routes through the adapter serving that
version. Answers carry Canistry-Protocol.

Adapters: the built-in ones (this binary, re-executed as 'canistry adapter
<name>') and every binary listed in <plugin-dir>/SHA256SUMS ("<sha256>
<file>" lines, as sha256sum writes them). Each binary is checked against
its checksum before it starts; adapters whose version constraints overlap,
or that declare an unknown service or capability, stop the gateway at
start.

Authentication: every request carries the header Canistry-Delegation, a
delegation chain from the user's key to the gateway's key (the base64url
of @dfinity/identity's DelegationChain.toJSON()); the gateway calls the
canister as that user. canistry.session.v1.SessionService/GetGatewayKey
(no authentication) returns the gateway's key; 'canistry session' makes a
header value.

Logs (slog, stderr): "adapter ready" per adapter at start; "adapter process
exited; restarting" and "adapter restarted" when one crashes (health
canistry.adapter.<name> is NOT_SERVING meanwhile); adapter processes' own
logs appear with module=adapter.<name>.

Metrics: Prometheus text at /metrics on the --listen address (no
delegation needed; no principals or canister ids in the series).

Flags:
`

var gatewayEnv = withLimitEnv(envVars{
	"replica":          "CANISTRY_REPLICA_URL",
	"listen":           "CANISTRY_LISTEN",
	"identity":         "CANISTRY_IDENTITY",
	"plugin-dir":       "CANISTRY_PLUGIN_DIR",
	"builtin-adapters": "CANISTRY_BUILTIN_ADAPTERS",
	"fetch-root-key":   "CANISTRY_FETCH_ROOT_KEY",
	"negotiation-ttl":  "CANISTRY_NEGOTIATION_TTL",
	"node-keys-ttl":    "CANISTRY_NODE_KEYS_TTL",
	"log-level":        "CANISTRY_LOG_LEVEL",
	"registry":         "CANISTRY_REGISTRY",
	"otlp-endpoint":    "CANISTRY_OTLP_ENDPOINT",
})

// defaultUserRate limits each user of a gateway to this many requests a
// second (bursts of twice that): plenty for a person's clients, not enough
// for one user to take the gateway.
const defaultUserRate = 100

func parseGatewayFlags(args []string, stderr io.Writer) (*gatewayFlags, error) {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &gatewayFlags{listen: "127.0.0.1:8080", builtins: builtinAdapterNames(), fetchRootKey: "auto",
		negotiationTTL: positiveDuration(gateway.DefaultNegotiationTTL),
		nodeKeysTTL:    positiveDuration(delegated.DefaultNodeKeysMaxAge), limits: defaultLimits(defaultUserRate)}
	fs.Var(&f.replica, "replica", "`URL` of the replica or IC boundary node (required)")
	fs.Var(&f.listen, "listen", "`host:port` to serve the API on")
	fs.StringVar(&f.identity, "identity", "", "PEM file of the gateway's key, the key users delegate to; empty: a fresh one per run")
	fs.StringVar(&f.pluginDir, "plugin-dir", "", "directory of extra adapter binaries with a SHA256SUMS manifest")
	fs.Var(&f.builtins, "builtin-adapters", "comma-separated built-in adapter `names` to run; empty: none")
	fs.Var(&f.fetchRootKey, "fetch-root-key", "trust the replica's root key (`mode`): true, false, or auto = only for loopback replicas")
	fs.Var(&f.negotiationTTL, "negotiation-ttl", "how long (`duration`) a canister's negotiated protocol is trusted before it is read again")
	fs.Var(&f.nodeKeysTTL, "node-keys-ttl", "how long (`duration`) a subnet's certified node keys are trusted before they are read again (an answer by an unknown node, or one that does not verify, reads them at once)")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn, error")
	fs.Var(&f.registry, "registry", "the registry canister's `id`, over which the platform API canistry.platform.v1 is served; empty: the platform API answers failed_precondition")
	fs.Var(&f.otlpEndpoint, "otlp-endpoint", "`URL` of an OTLP/HTTP trace collector (e.g. http://127.0.0.1:4318/v1/traces): each request is traced through its adapter to the IC call, and logs carry trace_id; empty: no tracing")
	f.limits.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, gatewayHelp)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, gatewayEnv, args, false, stderr); err != nil {
		return nil, err
	}
	if f.replica == "" {
		fmt.Fprintln(stderr, "canistry gateway: --replica (or CANISTRY_REPLICA_URL) is required")
		return nil, errUsage
	}
	return f, nil
}

func runGateway(args []string, stdout, stderr io.Writer) error {
	f, err := parseGatewayFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(stderr, f.logLevel)
	u, err := url.Parse(string(f.replica)) // httpURL has checked it
	if err != nil {
		return err
	}
	fetch := fetchRootKey(f.fetchRootKey, u)
	id, err := gatewayIdentity(f.identity, log)
	if err != nil {
		return err
	}
	srcs, err := adapterSources(f.builtins, f.pluginDir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", string(f.listen))
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", f.listen, err)
	}
	defer ln.Close()
	var registry principal.Principal
	if f.registry != "" {
		registry = principal.MustDecode(string(f.registry)) // principalFlag has checked it
	}
	return serveStack(ctx, stack{ic: ic.Config{URL: u, FetchRootKey: fetch}, id: id, sources: srcs, registry: registry, otlp: string(f.otlpEndpoint),
		ttl: time.Duration(f.negotiationTTL), keysTTL: time.Duration(f.nodeKeysTTL), limits: f.limits, log: log, ln: ln, announce: func() {
			fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
		}})
}

// stack is a gateway with its adapters, over one IC.
type stack struct {
	ic       ic.Config
	id       identity.Identity
	sources  []host.Source
	ttl      time.Duration
	keysTTL  time.Duration // of the cached node keys; 0: the default
	limits   limitFlags
	log      *slog.Logger
	ln       net.Listener
	announce func() // called once the gateway serves
	registry principal.Principal
	otlp     string // OTLP/HTTP trace endpoint; empty: no tracing
}

// serveStack starts the adapters and serves the gateway until ctx ends.
func serveStack(ctx context.Context, s stack) error {
	// Adapters first: a bad plugin directory is a configuration error that
	// must be reported whether or not the IC is reachable.
	tel, log, stopTraces, err := gatewayTelemetry(ctx, s.otlp, s.log)
	if err != nil {
		return err
	}
	s.log = log
	defer func() {
		flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTraces(flush); err != nil {
			s.log.Warn("flushing traces", "err", err)
		}
	}()
	health := gateway.NewHealth()
	h, err := host.Start(ctx, host.Config{Sources: s.sources, Logger: s.log, OnHealth: health.Set,
		MaxInFlightPerCanister: int(s.limits.perCanister)})
	if err != nil {
		return fmt.Errorf("adapters: %w", err)
	}
	defer h.Close()
	pool, err := ic.NewPool(s.ic)
	if err != nil {
		return err
	}
	client, err := pool.For(s.id)
	if err != nil {
		return err
	}
	// The gateway's key signs only its own reads and, under users'
	// delegations, the calls it makes for them.
	users := delegated.NewSender(client, s.id)
	users.NodeKeysMaxAge = s.keysTTL
	g, err := gateway.New(gateway.Config{Host: h, IC: client, Users: users, Health: health, Logger: s.log,
		NegotiationTTL: s.ttl, Limits: s.limits.gateway(), Registry: s.registry, Telemetry: tel})
	if err != nil {
		return err
	}
	s.log.Info("gateway serving", "url", "http://"+s.ln.Addr().String(), "identity", s.id.Sender().String(),
		"gateway_key", hex.EncodeToString(s.id.PublicKey()), "replica", s.ic.URL.String(), "registry", registryText(s.registry))
	if s.announce != nil {
		s.announce()
	}
	return g.Serve(ctx, s.ln)
}

func adapterSources(builtins []string, pluginDir string) ([]host.Source, error) {
	for _, b := range builtins {
		if builtinAdapters[b] == nil {
			return nil, fmt.Errorf("no built-in adapter %q (have %v)", b, builtinAdapterNames())
		}
	}
	srcs, err := host.Builtin(builtins...)
	if err != nil {
		return nil, err
	}
	if pluginDir != "" {
		more, err := host.FromDir(pluginDir)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, more...)
	}
	if len(srcs) == 0 {
		return nil, errors.New("no adapters: enable built-in adapters or give --plugin-dir")
	}
	return srcs, nil
}

func gatewayIdentity(path string, log *slog.Logger) (identity.Identity, error) {
	if path != "" {
		return loadIdentity(path)
	}
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		return nil, err
	}
	log.Warn("no --identity: using a fresh gateway key for this run; delegations made for another run's key are refused",
		"principal", id.Sender().String(), "gateway_key", hex.EncodeToString(id.PublicKey()))
	return id, nil
}

// fetchRootKey decides whether to trust the replica's own root key: a
// local replica has its own, mainnet's is built into agent-go and must
// never be fetched.
func fetchRootKey(mode rootKeyMode, u *url.URL) bool {
	if mode != "auto" {
		return mode == "true"
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// registryText names the registry for logs ("" without one: the zero
// principal would print as aaaaa-aa).
func registryText(p principal.Principal) string {
	if len(p.Raw) == 0 {
		return ""
	}
	return p.String()
}
