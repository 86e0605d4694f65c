package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
)

type gatewayFlags struct {
	replica        string
	listen         string
	identity       string
	pluginDir      string
	builtins       string
	fetchRootKey   string
	negotiationTTL time.Duration
	logLevel       string
}

const gatewayHelp = `Usage: canistry gateway --replica URL [flags]

Serves the stable API canistry.personal.v1.PersonalService (Connect, gRPC,
gRPC-Web; JSON and binary; HTTP/1.1 and h2c) with grpchealth and
grpcreflect. Each request names its canister in the header
Canistry-Canister; the gateway reads the canister's certified
canistry:protocol metadata and routes through the adapter serving that
version. Answers carry Canistry-Protocol.

Adapters: the built-in ones (this binary, re-executed as 'canistry adapter
<name>') and every binary listed in <plugin-dir>/SHA256SUMS ("<sha256>
<file>" lines, as sha256sum writes them). Each binary is checked against
its checksum before it starts; adapters whose version constraints overlap,
or that declare an unknown service or capability, stop the gateway at
start.

Logs (slog, stderr): "adapter ready" per adapter at start; "adapter process
exited; restarting" and "adapter restarted" when one crashes (health
canistry.adapter.<name> is NOT_SERVING meanwhile); adapter processes' own
logs appear with module=adapter.<name>.

Flags:
`

func parseGatewayFlags(args []string, stderr io.Writer) (*gatewayFlags, error) {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &gatewayFlags{}
	fs.StringVar(&f.replica, "replica", envDefault("CANISTRY_REPLICA_URL", ""), "URL of the replica or IC boundary node (required; env CANISTRY_REPLICA_URL)")
	fs.StringVar(&f.listen, "listen", envDefault("CANISTRY_LISTEN", "127.0.0.1:8080"), "address to serve the API on (env CANISTRY_LISTEN)")
	fs.StringVar(&f.identity, "identity", envDefault("CANISTRY_IDENTITY", ""), "PEM file of the gateway's identity; empty: a fresh one per run (env CANISTRY_IDENTITY)")
	fs.StringVar(&f.pluginDir, "plugin-dir", envDefault("CANISTRY_PLUGIN_DIR", ""), "directory of extra adapter binaries with a SHA256SUMS manifest (env CANISTRY_PLUGIN_DIR)")
	fs.StringVar(&f.builtins, "builtin-adapters", envDefault("CANISTRY_BUILTIN_ADAPTERS", strings.Join(builtinAdapterNames(), ",")), "comma-separated built-in adapters to run; empty: none (env CANISTRY_BUILTIN_ADAPTERS)")
	fs.StringVar(&f.fetchRootKey, "fetch-root-key", envDefault("CANISTRY_FETCH_ROOT_KEY", "auto"), "trust the replica's root key: true, false, or auto = only for loopback replicas (env CANISTRY_FETCH_ROOT_KEY)")
	ttl, _ := time.ParseDuration(envDefault("CANISTRY_NEGOTIATION_TTL", gateway.DefaultNegotiationTTL.String()))
	fs.DurationVar(&f.negotiationTTL, "negotiation-ttl", ttl, "how long a canister's negotiated protocol is trusted before it is read again (env CANISTRY_NEGOTIATION_TTL)")
	fs.StringVar(&f.logLevel, "log-level", envDefault("CANISTRY_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env CANISTRY_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprint(stderr, gatewayHelp)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, false, stderr); err != nil {
		return nil, err
	}
	if f.replica == "" {
		fmt.Fprintln(stderr, "canistry gateway: --replica is required")
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
	log, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return err
	}
	u, err := url.Parse(f.replica)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--replica %q is not a URL", f.replica)
	}
	fetch, err := fetchRootKey(f.fetchRootKey, u)
	if err != nil {
		return err
	}
	id, err := gatewayIdentity(f.identity, log)
	if err != nil {
		return err
	}
	srcs, err := adapterSources(splitList(f.builtins), f.pluginDir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", f.listen, err)
	}
	defer ln.Close()
	return serveStack(ctx, stack{ic: ic.Config{URL: u, FetchRootKey: fetch}, id: id, sources: srcs,
		ttl: f.negotiationTTL, log: log, ln: ln, announce: func() {
			fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
		}})
}

// stack is a gateway with its adapters, over one IC.
type stack struct {
	ic       ic.Config
	id       identity.Identity
	sources  []host.Source
	ttl      time.Duration
	log      *slog.Logger
	ln       net.Listener
	announce func() // called once the gateway serves
}

// serveStack starts the adapters and serves the gateway until ctx ends.
func serveStack(ctx context.Context, s stack) error {
	// Adapters first: a bad plugin directory is a configuration error that
	// must be reported whether or not the IC is reachable.
	health := gateway.NewHealth()
	h, err := host.Start(ctx, host.Config{Sources: s.sources, Logger: s.log, OnHealth: health.Set})
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
	g, err := gateway.New(gateway.Config{Host: h, IC: client, Health: health, Logger: s.log, NegotiationTTL: s.ttl})
	if err != nil {
		return err
	}
	s.log.Info("gateway serving", "url", "http://"+s.ln.Addr().String(), "identity", s.id.Sender().String(), "replica", s.ic.URL.String())
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
	log.Warn("no --identity: using a fresh identity for this run; canisters owned by another identity will refuse it", "principal", id.Sender().String())
	return id, nil
}

// fetchRootKey decides whether to trust the replica's own root key: a
// local replica has its own, mainnet's is built into agent-go and must
// never be fetched.
func fetchRootKey(mode string, u *url.URL) (bool, error) {
	switch mode {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "auto":
		host := u.Hostname()
		if host == "localhost" {
			return true, nil
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback(), nil
	}
	return false, fmt.Errorf("--fetch-root-key %q: want true, false or auto", mode)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
