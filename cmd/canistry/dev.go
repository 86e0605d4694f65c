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
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica"
)

type devFlags struct {
	stateDir      string
	listen        listenAddr
	replicaListen listenAddr
	logLevel      slog.Level
	otlpEndpoint  httpURL
}

const devHelp = `Usage: canistry dev [flags]

Runs a local development environment until SIGINT (Ctrl-C) or SIGTERM: the
embedded replica, the registry canister (the dev identity is its operator,
developer and auditor; it publishes personal 1.0.0, 2.0.0 and 3.0.0 through
it, approving its own releases under a self-audit waiver only dev gets),
the gateway with the built-in adapters and the platform API over the
registry, and one personal canister per protocol version installed through
the registry, owned by the dev identity.

State lives in .canistry/dev at the project root: the nearest folder from
the working directory upwards that holds .canistry/ or .git, else the
working directory. Restarting reuses the identity, the replica's state and
the canisters; deleting the folder (while dev is stopped) starts afresh.
'canistry canister ...' finds the same folder from anywhere in the project.

Stdout is for scripts. Once the gateway serves, and dev.json in the state
folder holds the same, it prints these lines, 'ready' exactly once:

  replica http://127.0.0.1:4943
  gateway http://127.0.0.1:8080
  registry <canister id>
  personal/1.0.0 <canister id>
  ...
  gateway-key <hex of the gateway's DER public key>
  delegation <Canistry-Delegation header value: the dev identity, the dev canisters and the registry, 24 h>
  ready

Every request to the gateway needs the header Canistry-Delegation; the
printed value lets the dev identity (which owns the dev canisters) call
them, e.g. with curl -H 'Canistry-Delegation: <value>'. 'canistry session'
makes one for any identity and canister.

Ctrl-C (SIGINT) or SIGTERM stops the gateway, the adapters and the replica,
keeping the state, and prints 'stopped'; a second Ctrl-C ends it at once.
Progress and logs go to stderr.

Flags:
`

var devEnv = envVars{
	"state-dir":      "CANISTRY_STATE_DIR",
	"listen":         "CANISTRY_LISTEN",
	"replica-listen": "CANISTRY_REPLICA_LISTEN",
	"log-level":      "CANISTRY_LOG_LEVEL",
	"otlp-endpoint":  "CANISTRY_OTLP_ENDPOINT",
}

func parseDevFlags(args []string, stderr io.Writer) (*devFlags, error) {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &devFlags{listen: "127.0.0.1:8080", replicaListen: "127.0.0.1:4943"}
	fs.StringVar(&f.stateDir, "state-dir", "", "directory of the dev identity, replica state and canister list; empty: .canistry/dev at the project root")
	fs.Var(&f.listen, "listen", "`host:port` of the gateway")
	fs.Var(&f.replicaListen, "replica-listen", "`host:port` of the replica")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelWarn, "log `level`: debug, info, warn, error")
	fs.Var(&f.otlpEndpoint, "otlp-endpoint", "`URL` of an OTLP/HTTP trace collector for the gateway's traces (e.g. http://127.0.0.1:4318/v1/traces); empty: no tracing")
	fs.Usage = func() {
		fmt.Fprint(stderr, devHelp)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, devEnv, args, false, stderr); err != nil {
		return nil, err
	}
	return f, nil
}

// runDev runs the dev environment until a signal and then reports the
// clean stop on stdout: a stop requested by a signal is not an error, and
// anything that fails because of it (an install cut short) is part of it.
func runDev(args []string, stdout, stderr io.Writer) error {
	f, err := parseDevFlags(args, stderr)
	if err != nil {
		return err
	}
	loc, err := locateDev(f.stateDir)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			// A second Ctrl-C ends dev at once instead of waiting for the stop.
			stop()
			fmt.Fprintln(stderr, "stopping the gateway, the adapters and the replica ...")
		case <-done:
		}
	}()
	err = serveDev(ctx, f, loc.dir, stdout, stderr)
	if ctx.Err() == nil {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}

func serveDev(ctx context.Context, f *devFlags, dir devDir, stdout, stderr io.Writer) error {
	log := newLogger(stderr, f.logLevel)
	if err := os.MkdirAll(string(dir), 0o755); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "state in %s\n", dir)
	id, created, err := loadOrCreateIdentity(dir.identityPath())
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "created the dev identity %s in %s\n", id.Sender(), dir.identityPath())
	}
	gwKey, created, err := loadOrCreateIdentity(dir.gatewayKeyPath())
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "created the gateway key in %s\n", dir.gatewayKeyPath())
	}
	replicaURL, closeReplica, err := startDevReplica(string(f.replicaListen), dir, log)
	if err != nil {
		return err
	}
	defer closeReplica()
	gwLn, err := net.Listen("tcp", string(f.listen))
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", f.listen, err)
	}
	defer gwLn.Close()

	icCfg := ic.Config{URL: replicaURL, FetchRootKey: true}
	pool, err := ic.NewPool(icCfg)
	if err != nil {
		return err
	}
	client, err := pool.For(id)
	if err != nil {
		return err
	}
	info, err := dir.readInfo()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	reg, err := ensureRegistry(ctx, client, dir, info, stderr)
	if err != nil {
		return err
	}
	if err := publishDevReleases(ctx, reg, client.Sender(), stderr); err != nil {
		return err
	}
	if err := ensureDevCanisters(ctx, client, reg, dir, info, stderr); err != nil {
		return err
	}
	info.Replica, info.Gateway = replicaURL.String(), "http://"+gwLn.Addr().String()
	info.GatewayKey = hex.EncodeToString(gwKey.PublicKey())
	if err := dir.writeInfo(info); err != nil {
		return err
	}
	header, err := devSession(id, gwKey.PublicKey(), info)
	if err != nil {
		return err
	}
	srcs, err := adapterSources(builtinAdapterNames(), "")
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "starting the gateway and the built-in adapters ...")
	return serveStack(ctx, stack{ic: icCfg, id: gwKey, sources: srcs, ttl: gateway.DefaultNegotiationTTL, limits: defaultLimits(0), log: log, ln: gwLn,
		registry: reg.ID(), otlp: string(f.otlpEndpoint), announce: func() { announceDev(stdout, info, header) }})
}

// announceDev prints the readiness contract: the addresses, canisters, the
// gateway key and a delegation for the dev identity, then exactly one
// "ready" line. dev.json already holds the same (but the delegation).
func announceDev(stdout io.Writer, info *devInfo, delegation string) {
	fmt.Fprintf(stdout, "replica %s\ngateway %s\nregistry %s\n", info.Replica, info.Gateway, info.Registry)
	for _, v := range personal.Versions() {
		fmt.Fprintf(stdout, "%s %s\n", personal.Protocol(v), info.Canisters[v])
	}
	fmt.Fprintf(stdout, "gateway-key %s\n", info.GatewayKey)
	fmt.Fprintf(stdout, "delegation %s\n", delegation)
	fmt.Fprintln(stdout, "ready")
}

// startDevReplica opens the replica on the state dir and serves it.
func startDevReplica(listen string, dir devDir, log *slog.Logger) (*url.URL, func(), error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on %s: %w", listen, err)
	}
	r, err := replica.Open(replica.Config{StateDir: dir.replicaDir(), Logger: log})
	if err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("open replica state %s: %w", dir.replicaDir(), err)
	}
	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	u := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	return u, func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
		r.Close()
	}, nil
}

// ensureDevCanisters reuses the canisters dev recorded (whatever version
// they were upgraded to since) and installs those missing through the
// registry, as the dev identity: it owns them, and it and the registry
// control them.
func ensureDevCanisters(ctx context.Context, client *ic.Client, reg *registry.Client, dir devDir, info *devInfo, progress io.Writer) error {
	for _, v := range personal.Versions() {
		if id, ok := info.Canisters[v]; ok {
			p, err := principal.Decode(id)
			if err == nil {
				if _, err = client.CanisterInfo(ctx, p); err == nil {
					continue
				}
			}
			fmt.Fprintf(progress, "recorded canister %s for personal/%s is gone (%v); installing a new one\n", id, v, err)
		}
		fmt.Fprintf(progress, "installing personal/%s through the registry ...\n", v)
		c, err := reg.Install(ctx, "personal", v)
		if err != nil {
			return fmt.Errorf("install personal/%s through the registry: %w", v, err)
		}
		info.Canisters[v] = c.ID.String()
		if err := dir.writeInfo(info); err != nil {
			return err
		}
	}
	return nil
}
