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
	"strconv"
	"syscall"
	"time"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/exec"
)

type replicaFlags struct {
	listen          string
	stateDir        string
	maxInstructions uint64
	logLevel        string
}

func parseReplicaFlags(args []string, stderr io.Writer) (*replicaFlags, error) {
	fs := flag.NewFlagSet("replica", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &replicaFlags{}
	fs.StringVar(&f.listen, "listen", envDefault("CANISTRY_LISTEN", "127.0.0.1:4943"), "address to serve the IC HTTP interface on (env CANISTRY_LISTEN)")
	fs.StringVar(&f.stateDir, "state-dir", envDefault("CANISTRY_STATE_DIR", ".canistry/replica"), "directory of the replica's durable state (env CANISTRY_STATE_DIR)")
	maxDefault, _ := strconv.ParseUint(envDefault("CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE", "0"), 10, 64)
	fs.Uint64Var(&f.maxInstructions, "max-instructions-per-message", maxDefault, "instruction limit of an update message; 0 = the IC's default of 40 billion (env CANISTRY_MAX_INSTRUCTIONS_PER_MESSAGE)")
	fs.StringVar(&f.logLevel, "log-level", envDefault("CANISTRY_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env CANISTRY_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: canistry replica [flags]\n\nRuns a local Internet Computer replica until SIGINT or SIGTERM. Logs go to stderr.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args, false, stderr); err != nil {
		return nil, err
	}
	return f, nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
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
	log, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", f.listen, err)
	}
	defer ln.Close()
	r, err := replica.Open(replica.Config{
		StateDir: f.stateDir,
		Limits:   exec.Limits{Update: f.maxInstructions},
		Logger:   log,
	})
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
