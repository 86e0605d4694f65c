package main

import (
	"context"
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
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica"
)

type devFlags struct {
	stateDir      string
	listen        string
	replicaListen string
	logLevel      string
}

const devHelp = `Usage: canistry dev [flags]

Runs a local development environment until SIGINT or SIGTERM: the embedded
replica, the gateway with the built-in adapters, and one personal canister
per protocol version (` + "1.0.0, 2.0.0, 3.0.0" + `) owned by the dev identity.
Restarting on the same --state-dir reuses the identity, the replica's state
and the canisters. Prints, once ready:

  replica http://127.0.0.1:4943
  gateway http://127.0.0.1:8080
  personal/1.0.0 <canister id>
  ...
  ready

Progress and logs go to stderr. 'canistry canister ...' finds this
environment through the same --state-dir.

Flags:
`

func parseDevFlags(args []string, stderr io.Writer) (*devFlags, error) {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &devFlags{}
	fs.StringVar(&f.stateDir, "state-dir", envDefault("CANISTRY_STATE_DIR", ".canistry/dev"), "directory of the dev identity, replica state and canister list (env CANISTRY_STATE_DIR)")
	fs.StringVar(&f.listen, "listen", envDefault("CANISTRY_LISTEN", "127.0.0.1:8080"), "address of the gateway (env CANISTRY_LISTEN)")
	fs.StringVar(&f.replicaListen, "replica-listen", envDefault("CANISTRY_REPLICA_LISTEN", "127.0.0.1:4943"), "address of the replica (env CANISTRY_REPLICA_LISTEN)")
	fs.StringVar(&f.logLevel, "log-level", envDefault("CANISTRY_LOG_LEVEL", "warn"), "log level: debug, info, warn, error (env CANISTRY_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprint(stderr, devHelp)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, false, stderr); err != nil {
		return nil, err
	}
	return f, nil
}

func runDev(args []string, stdout, stderr io.Writer) error {
	f, err := parseDevFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return err
	}
	start := time.Now()
	dir := devDir(f.stateDir)
	if err := os.MkdirAll(string(dir), 0o755); err != nil {
		return err
	}
	id, created, err := loadOrCreateIdentity(dir.identityPath())
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "created the dev identity %s in %s\n", id.Sender(), dir.identityPath())
	}
	replicaURL, closeReplica, err := startDevReplica(f.replicaListen, dir, log)
	if err != nil {
		return err
	}
	defer closeReplica()
	gwLn, err := net.Listen("tcp", f.listen)
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
	info, err := ensureDevCanisters(ctx, client, dir, stderr)
	if err != nil {
		return err
	}
	info.Replica, info.Gateway = replicaURL.String(), "http://"+gwLn.Addr().String()
	if err := dir.writeInfo(info); err != nil {
		return err
	}
	srcs, err := adapterSources(builtinAdapterNames(), "")
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "starting the gateway and the built-in adapters ...")
	return serveStack(ctx, stack{ic: icCfg, id: id, sources: srcs, ttl: gateway.DefaultNegotiationTTL, log: log, ln: gwLn,
		announce: func() {
			fmt.Fprintf(stdout, "replica %s\ngateway %s\n", info.Replica, info.Gateway)
			for _, v := range personal.Versions() {
				fmt.Fprintf(stdout, "%s %s\n", personal.Protocol(v), info.Canisters[v])
			}
			fmt.Fprintln(stdout, "ready")
			fmt.Fprintf(stderr, "ready in %s\n", time.Since(start).Round(time.Millisecond))
		}})
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
// they were upgraded to since) and installs those missing.
func ensureDevCanisters(ctx context.Context, client *ic.Client, dir devDir, progress io.Writer) (*devInfo, error) {
	info, err := dir.readInfo()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
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
		fmt.Fprintf(progress, "installing personal/%s ...\n", v)
		p, err := personal.CreateRelease(ctx, client.Agent(), v)
		if err != nil {
			return nil, fmt.Errorf("personal/%s: %w", v, err)
		}
		info.Canisters[v] = p.String()
		if err := dir.writeInfo(info); err != nil {
			return nil, err
		}
	}
	return info, nil
}
