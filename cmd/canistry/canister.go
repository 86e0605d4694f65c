package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/ic"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
)

const canisterHelp = `Usage: canistry canister <subcommand> [flags]

Admin commands for the dev environment, found as 'canistry dev' finds it:
.canistry/dev at the project root (the nearest folder from the working
directory upwards that holds .canistry/ or .git), or --state-dir.
'canistry dev' must be running.

  create --protocol 1.0.0 [--owner PRINCIPAL]
                              create a personal canister owned by the dev identity (or by
                              --owner; the dev identity stays its controller); prints only its id
  upgrade ID --to 2.0.0       upgrade a personal canister, keeping its memory
  describe ID                 the canister's protocol, adapter, capabilities and module hash
  policy ID manual|patch|minor|channel:NAME
                              what rollouts may do with your canister ID of the platform
                              (through the gateway as --identity; 'canistry canister policy --help')

Flags (after the subcommand):
`

// adminEnv is what admin commands need of the dev environment.
type adminEnv struct {
	info   *devInfo
	client *ic.Client
}

// canisterFlags are the flags of every canister subcommand.
type canisterFlags struct {
	stateDir, protocol, to, owner string
}

var canisterEnv = envVars{"state-dir": "CANISTRY_STATE_DIR"}

func newCanisterFlags(stderr io.Writer) (*flag.FlagSet, *canisterFlags) {
	fs := flag.NewFlagSet("canister", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &canisterFlags{}
	fs.StringVar(&f.stateDir, "state-dir", "", "the dev environment's state directory; empty: .canistry/dev at the project root, found from the working directory as 'canistry dev' finds it")
	fs.StringVar(&f.protocol, "protocol", "", "create: the personal protocol version to install, e.g. 1.0.0")
	fs.StringVar(&f.to, "to", "", "upgrade: the personal protocol version to upgrade to, e.g. 2.0.0")
	fs.StringVar(&f.owner, "owner", "", "create: the principal that owns the canister (default: the dev identity)")
	fs.Usage = func() {
		fmt.Fprint(stderr, canisterHelp)
		fs.PrintDefaults()
	}
	return fs, f
}

func runCanister(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fs, _ := newCanisterFlags(stderr)
		describeEnv(fs, canisterEnv)
		fs.Usage()
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	if sub == "policy" {
		return runCanisterPolicy(rest, stdout, stderr)
	}
	fs, f := newCanisterFlags(stderr)
	// Go's flag package stops at the first positional argument; take the
	// canister id first so that `upgrade ID --to 2.0.0` parses.
	var pos []string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		pos, rest = rest[:1], rest[1:]
	}
	if err := parseFlags(fs, canisterEnv, rest, true, stderr); err != nil {
		return err
	}
	pos = append(pos, fs.Args()...)
	loc, err := locateDev(f.stateDir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	switch sub {
	case "create":
		if f.protocol == "" || len(pos) != 0 {
			fmt.Fprintln(stderr, "Usage: canistry canister create --protocol 1.0.0 [--owner PRINCIPAL]")
			return errUsage
		}
		return canisterCreate(ctx, loc, f.protocol, f.owner, stdout)
	case "upgrade":
		if f.to == "" || len(pos) != 1 {
			fmt.Fprintln(stderr, "Usage: canistry canister upgrade ID --to 2.0.0")
			return errUsage
		}
		return canisterUpgrade(ctx, loc, pos[0], f.to, stdout)
	case "describe":
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "Usage: canistry canister describe ID")
			return errUsage
		}
		return canisterDescribe(ctx, loc, pos[0], stdout)
	}
	fmt.Fprintf(stderr, "canistry canister: unknown subcommand %q\n\n%s", sub, canisterHelp)
	return errUsage
}

// openAdmin finds the running dev environment and calls as its identity.
func openAdmin(loc devLocation) (*adminEnv, error) {
	info, err := loc.readInfo()
	if err != nil {
		return nil, err
	}
	dir := loc.dir
	id, err := loadIdentity(dir.identityPath())
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(info.Replica)
	if err != nil {
		return nil, fmt.Errorf("%s: replica URL: %w", dir.infoPath(), err)
	}
	pool, err := ic.NewPool(ic.Config{URL: u, FetchRootKey: true})
	if err != nil {
		return nil, err
	}
	client, err := pool.For(id)
	if err != nil {
		return nil, fmt.Errorf("reach the dev replica at %s (is 'canistry dev' running?): %w", info.Replica, err)
	}
	return &adminEnv{info: info, client: client}, nil
}

func canisterCreate(ctx context.Context, loc devLocation, version, ownerText string, stdout io.Writer) error {
	env, err := openAdmin(loc)
	if err != nil {
		return err
	}
	owner := env.client.Sender()
	if ownerText != "" {
		if owner, err = principal.Decode(ownerText); err != nil {
			return fmt.Errorf("--owner %q is not a principal: %w", ownerText, err)
		}
		if owner.IsAnonymous() {
			return errors.New("--owner: the anonymous principal cannot own a canister")
		}
	}
	p, err := createOwned(ctx, env.client, version, owner)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, p)
	return nil
}

// createOwned creates a canister controlled by a's identity with release
// version installed, owned by owner.
func createOwned(ctx context.Context, a ic.Manager, version string, owner principal.Principal) (principal.Principal, error) {
	wasm, err := personal.Wasm(version)
	if err != nil {
		return principal.Principal{}, err
	}
	id, err := personal.Create(ctx, a)
	if err != nil {
		return principal.Principal{}, err
	}
	if err := personal.Install(ctx, a, id, wasm, owner); err != nil {
		return principal.Principal{}, err
	}
	return id, nil
}

func canisterUpgrade(ctx context.Context, loc devLocation, id, version string, stdout io.Writer) error {
	p, err := principal.Decode(id)
	if err != nil {
		return fmt.Errorf("%q is not a canister id: %w", id, err)
	}
	env, err := openAdmin(loc)
	if err != nil {
		return err
	}
	if err := personal.UpgradeTo(ctx, env.client, p, version); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s upgraded to personal/%s\n", p, version)
	return nil
}

// canisterDescribe asks the dev gateway, so the answer includes the adapter
// and capabilities the gateway negotiated.
func canisterDescribe(ctx context.Context, loc devLocation, id string, stdout io.Writer) error {
	info, err := loc.readInfo()
	if err != nil {
		return err
	}
	p, err := principal.Decode(id)
	if err != nil {
		return fmt.Errorf("%q is not a canister id: %w", id, err)
	}
	// Describe needs a delegation like every request: the dev identity's,
	// for this canister, for a few minutes.
	devID, err := loadIdentity(loc.dir.identityPath())
	if err != nil {
		return err
	}
	key, err := hex.DecodeString(info.GatewayKey)
	if err != nil || len(key) == 0 {
		return fmt.Errorf("%s has no gatewayKey: restart 'canistry dev'", loc.dir.infoPath())
	}
	header, err := sessionHeader(devID, key, []principal.Principal{p}, 5*time.Minute)
	if err != nil {
		return err
	}
	c := personalv1connect.NewPersonalServiceClient(http.DefaultClient, info.Gateway)
	req := connect.NewRequest(&personalv1.DescribeRequest{})
	req.Header().Set(gateway.HeaderCanister, id)
	req.Header().Set(gateway.HeaderDelegation, header)
	resp, err := c.Describe(ctx, req)
	if err != nil {
		return fmt.Errorf("describe %s via the dev gateway at %s (is 'canistry dev' running?): %w", id, info.Gateway, err)
	}
	m := resp.Msg
	caps := make([]string, len(m.GetCapabilities()))
	for i, c := range m.GetCapabilities() {
		caps[i] = c.String()
	}
	fmt.Fprintf(stdout, "canister     %s\nprotocol     %s\nadapter      %s\ncapabilities %s\nmodule_hash  %s\n",
		m.GetCanisterId(), m.GetProtocol(), m.GetAdapter(), strings.Join(caps, ", "), hex.EncodeToString(m.GetModuleHash()))
	return nil
}
