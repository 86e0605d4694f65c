package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/sdk/client"
)

// The platform commands (app, release, install, canisters, upgrade, role,
// whoami) call the gateway's canistry.platform.v1 as the --identity: each
// run delegates from it to the gateway's key for a few minutes, towards
// the registry canister only when its id is known.

// platformFlags are the flags every platform command takes.
type platformFlags struct {
	identity string
	gateway  httpURL
	registry principalFlag
	stateDir string
	timeout  positiveDuration
	logLevel slog.Level
}

var platformEnv = envVars{
	"identity":  "CANISTRY_IDENTITY",
	"gateway":   "CANISTRY_GATEWAY",
	"registry":  "CANISTRY_REGISTRY",
	"state-dir": "CANISTRY_STATE_DIR",
	"timeout":   "CANISTRY_TIMEOUT",
	"log-level": "CANISTRY_LOG_LEVEL",
}

// cliSessionTTL is how long one command's delegation lives: long enough
// for an upload or an upgrade, short enough that a leaked header is worth
// little.
const cliSessionTTL = 15 * time.Minute

func (f *platformFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.identity, "identity", "", "PEM `file` of the identity to act as; empty: ~/.config/canistry/identity.pem, created on first use")
	fs.Var(&f.gateway, "gateway", "`URL` of the gateway; empty: the dev environment's (dev.json)")
	fs.Var(&f.registry, "registry", "the registry canister's `id`, the delegation's only target; empty: the dev environment's, else every canister")
	fs.StringVar(&f.stateDir, "state-dir", "", "the dev environment's state directory, for the defaults of --gateway and --registry; empty: .canistry/dev at the project root")
	fs.Var(&f.timeout, "timeout", "how long (`duration`) the command may take")
	fs.TextVar(&f.logLevel, "log-level", slog.LevelWarn, "log `level` (stderr): debug, info, warn, error")
}

// principalFlag is a textual principal; empty is unset.
type principalFlag string

func (p *principalFlag) String() string { return string(*p) }

func (p *principalFlag) Set(s string) error {
	if s == "" {
		*p = ""
		return nil
	}
	if _, err := principal.Decode(s); err != nil {
		return fmt.Errorf("%q is not a textual principal", s)
	}
	*p = principalFlag(s)
	return nil
}

// subcommand is one platform command's parsed line.
type subcommand struct {
	fs   *flag.FlagSet
	f    *platformFlags
	args []string // positional
	// also are canisters beyond the registry that the command's
	// delegation must allow (a wallet it calls through).
	also []principal.Principal
}

// newSubcommand makes a flag set for "canistry <name>" with the platform
// flags; help is its usage text.
func newSubcommand(name, help string, stderr io.Writer) *subcommand {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &platformFlags{timeout: positiveDuration(5 * time.Minute)}
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, help)
		fs.PrintDefaults()
	}
	return &subcommand{fs: fs, f: f}
}

// parse parses flags anywhere among the positional arguments (Go's flag
// package stops at the first one), so `upgrade ID --to 2.0.0` works.
func (s *subcommand) parse(args []string, stderr io.Writer) error {
	describeEnv(s.fs, platformEnv)
	var pos []string
	for {
		if err := s.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return errUsage
		}
		rest := s.fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...) // after "--" everything is positional
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	s.args = pos
	return applyEnv(s.fs, platformEnv, stderr)
}

// usageError prints the command's usage line and is errUsage.
// parseVerb parses a command that takes a verb (app list, role grant, …):
// bare, or without a verb, it prints the usage and is a usage error.
func (s *subcommand) parseVerb(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		describeEnv(s.fs, platformEnv)
		s.fs.Usage()
		return errUsage
	}
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if len(s.args) == 0 {
		s.fs.Usage()
		return errUsage
	}
	return nil
}

func (s *subcommand) usageError(stderr io.Writer, line string) error {
	fmt.Fprintf(stderr, "Usage: canistry %s\n", line)
	return errUsage
}

// platformClients are the three services, as the identity.
type platformClients struct {
	store     platformv1connect.StoreServiceClient
	install   platformv1connect.InstallServiceClient
	publisher platformv1connect.PublisherServiceClient
	cycles    platformv1connect.CyclesServiceClient
	rollout   platformv1connect.RolloutServiceClient
	id        identity.Identity
}

// gatewayKey asks the gateway at gw for its session key.
func gatewayKey(ctx context.Context, gw string) ([]byte, error) {
	key, err := client.GatewayKey(ctx, http.DefaultClient, gw)
	if err != nil {
		return nil, fmt.Errorf("ask the gateway at %s for its key (is it running?): %w", gw, err)
	}
	return key, nil
}

// dial resolves the identity, the gateway and the registry, and makes
// clients that send a fresh delegation with every request.
func (s *subcommand) dial(ctx context.Context, stderr io.Writer) (*platformClients, error) {
	id, err := s.identity(stderr)
	if err != nil {
		return nil, err
	}
	gw, registry, err := s.endpoints()
	if err != nil {
		return nil, err
	}
	key, err := gatewayKey(ctx, gw)
	if err != nil {
		return nil, err
	}
	log := newLogger(stderr, s.f.logLevel)
	var targets []principal.Principal
	if registry != "" {
		targets = append([]principal.Principal{principal.MustDecode(registry)}, s.also...)
	} else {
		log.Warn("the registry's id is unknown (no --registry, no dev environment): the delegation allows every canister",
			"ttl", cliSessionTTL)
	}
	log.Debug("calling the platform API", "gateway", gw, "registry", registry, "principal", id.Sender().String())
	session := client.NewSession(id, key, client.Options{Targets: targets, TTL: cliSessionTTL})
	opts := connect.WithInterceptors(session.Interceptor())
	return &platformClients{
		store:     platformv1connect.NewStoreServiceClient(http.DefaultClient, gw, opts),
		install:   platformv1connect.NewInstallServiceClient(http.DefaultClient, gw, opts),
		publisher: platformv1connect.NewPublisherServiceClient(http.DefaultClient, gw, opts),
		cycles:    platformv1connect.NewCyclesServiceClient(http.DefaultClient, gw, opts),
		rollout:   platformv1connect.NewRolloutServiceClient(http.DefaultClient, gw, opts),
		id:        id,
	}, nil
}

// endpoints are the gateway URL and the registry id: the flags, else the
// dev environment's dev.json.
func (s *subcommand) endpoints() (gw, registry string, err error) {
	gw, registry = strings.TrimRight(string(s.f.gateway), "/"), string(s.f.registry)
	if gw != "" && registry != "" {
		return gw, registry, nil
	}
	loc, err := locateDev(s.f.stateDir)
	if err != nil {
		return "", "", err
	}
	info, err := loc.readInfo()
	if err != nil {
		if gw != "" {
			return gw, registry, nil // another gateway: delegate to every canister
		}
		return "", "", fmt.Errorf("no --gateway and %w", err)
	}
	// The dev environment's registry only goes with its own gateway.
	if registry == "" && (gw == "" || gw == strings.TrimRight(info.Gateway, "/")) {
		registry = info.Registry
	}
	if gw == "" {
		gw = info.Gateway
	}
	return gw, registry, nil
}

// identity loads --identity, or the default identity, made on first use.
func (s *subcommand) identity(stderr io.Writer) (identity.Identity, error) {
	if s.f.identity != "" {
		return loadIdentity(s.f.identity)
	}
	path, err := defaultIdentityPath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	id, created, err := loadOrCreateIdentity(path)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(stderr, "created the identity %s in %s\n", id.Sender(), path)
	}
	return id, nil
}

// defaultIdentityPath is ~/.config/canistry/identity.pem (the user's
// configuration directory).
func defaultIdentityPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no --identity and no configuration directory for the default one: %w", err)
	}
	return filepath.Join(dir, "canistry", "identity.pem"), nil
}

// withTimeout is the command's context.
func (s *subcommand) withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Duration(s.f.timeout))
}

// gatewayError says which call failed, with the gateway's code and message.
func gatewayError(what string, err error) error {
	if ce := new(connect.Error); errors.As(err, &ce) {
		return fmt.Errorf("%s: %s: %s", what, ce.Code(), ce.Message())
	}
	return fmt.Errorf("%s: %w", what, err)
}
