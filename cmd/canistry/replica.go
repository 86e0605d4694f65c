package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/exec"
)

type replicaFlags struct {
	listen          listenAddr
	stateDir        string
	maxInstructions uint64
	evict           evictFlags
	newNodeKey      bool
	logLevel        slog.Level
}

var replicaEnv = envVars{
	"listen":                       "CANISTRY_LISTEN",
	"state-dir":                    "CANISTRY_STATE_DIR",
	"max-instructions-per-message": "CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE",
	"evict-idle-after":             "CANISTRY_EVICT_IDLE_AFTER",
	"max-live-instances":           "CANISTRY_MAX_LIVE_INSTANCES",
	"new-node-key":                 "CANISTRY_NEW_NODE_KEY",
	"log-level":                    "CANISTRY_LOG_LEVEL",
}

func parseReplicaFlags(args []string, stderr io.Writer) (*replicaFlags, error) {
	fs := flag.NewFlagSet("replica", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &replicaFlags{listen: "127.0.0.1:4943"}
	fs.Var(&f.listen, "listen", "`host:port` to serve the IC HTTP interface on")
	fs.StringVar(&f.stateDir, "state-dir", ".canistry/replica", "directory of the replica's durable state")
	fs.Uint64Var(&f.maxInstructions, "max-instructions-per-message", 0, "instruction limit of an update message; 0 = the IC's default of 40 billion")
	f.evict.register(fs)
	fs.BoolVar(&f.newNodeKey, "new-node-key", false, "replace the node's query-signing key with a fresh one (kept from then on); the state, root and subnet keys stay")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn, error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: canistry replica [flags]\n\nRuns a local Internet Computer replica until SIGINT or SIGTERM. Logs go to stderr. Prometheus metrics: GET /metrics on the --listen address.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, replicaEnv, args, false, stderr); err != nil {
		return nil, err
	}
	if f.stateDir == "" {
		fmt.Fprintln(stderr, "canistry replica: --state-dir (or CANISTRY_STATE_DIR) must not be empty")
		return nil, errUsage
	}
	return f, nil
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func runReplica(args []string, stdout, stderr io.Writer) error {
	f, err := parseReplicaFlags(args, stderr)
	if err != nil {
		return err
	}
	// Catch signals before anything is announced: a supervisor that reads the
	// URL and at once sends SIGTERM must get a clean stop, not a kill.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(stderr, f.logLevel)
	ln, err := net.Listen("tcp", string(f.listen))
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", f.listen, err)
	}
	defer ln.Close()
	cfg := replica.Config{
		StateDir:   f.stateDir,
		Limits:     exec.Limits{Update: f.maxInstructions},
		NewNodeKey: f.newNodeKey,
		Logger:     log,
	}
	f.evict.apply(&cfg)
	r, err := replica.Open(cfg)
	if err != nil {
		return fmt.Errorf("cannot open state dir %s: %w", f.stateDir, err)
	}
	defer r.Close()

	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	log.Info("replica serving", "url", "http://"+ln.Addr().String(), "state_dir", f.stateDir)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping replica")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
