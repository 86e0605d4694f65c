package main

import (
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

const dashboardHelp = `Usage: canistry dashboard [--expiry 8h] [flags]

Prints the URL of the gateway's dashboard for you: it carries, after '#',
a delegation from --identity to the gateway's key, valid for --expiry and
towards the registry canister only. The page moves it into the browser
tab's session storage and sends it with each of its calls to the platform
API, which then acts as you: the owner's view lists your canisters, and the
operators' panels need the operator role. Anyone holding the URL acts as
you until it expires: keep it to yourself and --expiry short.

Flags:
`

// maxDashboardExpiry bounds --expiry: a URL is easily pasted somewhere.
const maxDashboardExpiry = 7 * 24 * time.Hour

func runDashboard(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("dashboard", dashboardHelp, stderr)
	expiry := positiveDuration(8 * time.Hour)
	s.fs.Var(&expiry, "expiry", "how long (`duration`) the URL's delegation is valid, at most 168h")
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 0 {
		return s.usageError(stderr, "dashboard [--expiry 8h]")
	}
	if time.Duration(expiry) > maxDashboardExpiry {
		fmt.Fprintf(stderr, "canistry dashboard: --expiry %s is over %s\n", time.Duration(expiry), maxDashboardExpiry)
		return errUsage
	}
	id, err := s.identity(stderr)
	if err != nil {
		return err
	}
	gw, registry, err := s.endpoints()
	if err != nil {
		return err
	}
	if registry == "" {
		// A long-lived delegation towards every canister would let the URL
		// act as you on any canister, not only the registry.
		return fmt.Errorf("the registry's id is unknown (no --registry, no dev environment for this gateway): give --registry ID")
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	key, err := gatewayKey(ctx, gw)
	if err != nil {
		return err
	}
	header, err := sessionHeader(id, key, []principal.Principal{principal.MustDecode(registry)}, time.Duration(expiry))
	if err != nil {
		return err
	}
	u, err := dashboardURL(gw, header)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, u)
	return nil
}

// dashboardURL is the gateway's "/" with the delegation in the fragment,
// which browsers never send to a server.
func dashboardURL(gateway, header string) (string, error) {
	u, err := url.Parse(gateway)
	if err != nil {
		return "", fmt.Errorf("gateway URL %q: %w", gateway, err)
	}
	u.Path, u.RawQuery = "/", ""
	u.Fragment = "delegation=" + header
	return u.String(), nil
}
