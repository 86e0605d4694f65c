package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/ic/delegated"
	sessionv1 "github.com/canistry/canistry/internal/gen/canistry/session/v1"
	"github.com/canistry/canistry/internal/gen/canistry/session/v1/sessionv1connect"
	"github.com/canistry/canistry/internal/icsig"
)

// devSessionTTL is how long the delegation dev prints stays valid.
const devSessionTTL = 24 * time.Hour

const sessionHelp = `Usage: canistry session --identity PEM [--target ID]... [--ttl 8h] [--gateway URL | --gateway-key HEX]

Prints a value for the header Canistry-Delegation: a delegation from the
identity's key to the gateway's key, valid for --ttl, only towards the
--target canisters (none given: every canister). The gateway's key comes
from --gateway-key, else from the gateway at --gateway
(SessionService/GetGatewayKey), else from the dev environment's dev.json
in --state-dir.

Flags:
`

// targetList collects repeated --target flags.
type targetList []principal.Principal

func (l *targetList) String() string { return fmt.Sprint(*l) }

func (l *targetList) Set(s string) error {
	p, err := principal.Decode(s)
	if err != nil {
		return fmt.Errorf("%q is not a canister id", s)
	}
	*l = append(*l, p)
	return nil
}

func runSession(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("session", flag.ContinueOnError)
	fs.SetOutput(stderr)
	idPath := fs.String("identity", "", "PEM file of the identity that delegates (required)")
	var targets targetList
	fs.Var(&targets, "target", "a canister the delegation allows (repeatable; none: every canister)")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the delegation is valid")
	gatewayURL := fs.String("gateway", "", "URL of the gateway to ask for its key")
	gatewayKey := fs.String("gateway-key", "", "hex of the gateway's DER public key")
	stateDir := fs.String("state-dir", "", "the dev environment's state directory; empty: .canistry/dev at the project root, as 'canistry dev' finds it")
	fs.Usage = func() {
		fmt.Fprint(stderr, sessionHelp)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, envVars{"state-dir": "CANISTRY_STATE_DIR"}, args, false, stderr); err != nil {
		return err
	}
	if *idPath == "" || *ttl <= 0 {
		fmt.Fprintln(stderr, "canistry session: --identity is required and --ttl must be positive")
		return errUsage
	}
	id, err := loadIdentity(*idPath)
	if err != nil {
		return err
	}
	key, err := resolveGatewayKey(*gatewayKey, *gatewayURL, *stateDir)
	if err != nil {
		return err
	}
	// A delegation to bytes that are no key would be refused only at use.
	if _, err := icsig.ParsePublicKey(key, nil); err != nil {
		return fmt.Errorf("the gateway key is not a DER public key: %w", err)
	}
	var ts []principal.Principal
	if len(targets) > 0 {
		ts = targets
	}
	header, err := sessionHeader(id, key, ts, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, header)
	return nil
}

// sessionHeader is a Canistry-Delegation value from id to the gateway key.
func sessionHeader(id identity.Identity, gatewayKey []byte, targets []principal.Principal, ttl time.Duration) (string, error) {
	c, err := delegated.Delegate(id, gatewayKey, time.Now().Add(ttl), targets, nil)
	if err != nil {
		return "", err
	}
	return c.Header()
}

// devSession is the header dev prints: the dev identity, the registry
// and the dev canisters.
func devSession(id identity.Identity, gatewayKey []byte, info *devInfo) (string, error) {
	var targets []principal.Principal
	if p, err := principal.Decode(info.Registry); err == nil && info.Registry != "" {
		targets = append(targets, p)
	}
	for _, v := range personal.Versions() {
		if p, err := principal.Decode(info.Canisters[v]); err == nil {
			targets = append(targets, p)
		}
	}
	return sessionHeader(id, gatewayKey, targets, devSessionTTL)
}

func resolveGatewayKey(hexKey, gatewayURL, stateDir string) ([]byte, error) {
	switch {
	case hexKey != "":
		key, err := hex.DecodeString(hexKey)
		if err != nil {
			return nil, fmt.Errorf("--gateway-key: %w", err)
		}
		return key, nil
	case gatewayURL != "":
		return fetchGatewayKey(gatewayURL)
	}
	loc, err := locateDev(stateDir)
	if err != nil {
		return nil, err
	}
	info, err := loc.readInfo()
	if err != nil || info.GatewayKey == "" {
		return nil, errors.New("no gateway key: give --gateway-key or --gateway, or run 'canistry dev' with this --state-dir")
	}
	return hex.DecodeString(info.GatewayKey)
}

func fetchGatewayKey(gatewayURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := sessionv1connect.NewSessionServiceClient(http.DefaultClient, strings.TrimRight(gatewayURL, "/"))
	resp, err := c.GetGatewayKey(ctx, connect.NewRequest(&sessionv1.GetGatewayKeyRequest{}))
	if err != nil {
		return nil, fmt.Errorf("ask %s for its key: %w", gatewayURL, err)
	}
	return resp.Msg.GetPublicKey(), nil
}
