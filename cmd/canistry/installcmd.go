package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"

	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const installHelp = `Usage: canistry install APP [--version V] [flags]

Gets you a canister of APP from the platform's store: the registry creates
it (paid by the registry, within your quotas), installs the release (default:
the newest released) with you as its owner, and makes you and the registry
its controllers. Prints only the canister id.

Flags:
`

func runInstall(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("install", installHelp, stderr)
	ver := s.fs.String("version", "", "the version to install; empty: the newest released")
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 1 {
		return s.usageError(stderr, "install APP [--version V]")
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	resp, err := c.install.Install(ctx, connect.NewRequest(&platformv1.InstallRequest{App: s.args[0], Version: *ver}))
	if err != nil {
		return gatewayError("install "+s.args[0], err)
	}
	fmt.Fprintln(stdout, resp.Msg.GetCanister().GetCanisterId())
	return nil
}

const canistersHelp = `Usage: canistry canisters [flags]

Lists your canisters: id, app, installed version, state, and the newest
version each may upgrade to ('-': none).

Flags:
`

func runCanisters(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("canisters", canistersHelp, stderr)
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 0 {
		return s.usageError(stderr, "canisters")
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	resp, err := c.install.ListMyCanisters(ctx, connect.NewRequest(&platformv1.ListMyCanistersRequest{}))
	if err != nil {
		return gatewayError("list your canisters", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CANISTER\tAPP\tVERSION\tSTATE\tUPGRADE AVAILABLE")
	for _, k := range resp.Msg.GetCanisters() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.GetCanisterId(), k.GetApp(), orDash(k.GetVersion()),
			strings.ToLower(strings.TrimPrefix(k.GetState().String(), "CANISTER_STATE_")), orDash(k.GetUpgradeAvailable()))
	}
	return tw.Flush()
}

const upgradeHelp = `Usage: canistry upgrade ID --to V [flags]

Upgrades your canister ID to version V of its app, which must be released
and admit the installed version. The registry stops it, takes a snapshot,
installs, starts it and checks its health; on any failure after the
snapshot it rolls back to the old version with its data. Prints each step
as it happens; exits 1 with the reason when the upgrade rolled back or
failed.

Flags:
`

func runUpgrade(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("upgrade", upgradeHelp, stderr)
	to := s.fs.String("to", "", "the version to upgrade to (required)")
	if err := s.parse(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 1 || *to == "" {
		return s.usageError(stderr, "upgrade ID --to V")
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	resp, err := c.install.Upgrade(ctx, connect.NewRequest(&platformv1.UpgradeRequest{CanisterId: s.args[0], Version: *to}))
	if err != nil {
		return gatewayError("upgrade "+s.args[0], err)
	}
	u := resp.Msg.GetUpgrade()
	fmt.Fprintf(stdout, "upgrade %d: %s %s → %s\n", u.GetId(), u.GetCanisterId(), u.GetFromVersion(), u.GetToVersion())
	return watchUpgrade(ctx, c, u.GetId(), stdout)
}

// watchUpgrade prints the upgrade's steps until it ends; an upgrade that
// did not end in done is an error with its reason.
func watchUpgrade(ctx context.Context, c *platformClients, id uint64, stdout io.Writer) error {
	stream, err := c.install.WatchUpgrade(ctx, connect.NewRequest(&platformv1.WatchUpgradeRequest{UpgradeId: id}))
	if err != nil {
		return gatewayError("watch the upgrade", err)
	}
	defer stream.Close()
	var last *platformv1.WatchUpgradeResponse
	for stream.Receive() {
		last = stream.Msg()
		st := last.GetStep()
		fmt.Fprintf(stdout, "%s  %-12s %s\n", st.GetTime().AsTime().Local().Format(time.TimeOnly+".000"),
			upgradeState(st.GetState()), st.GetMessage())
	}
	if err := stream.Err(); err != nil {
		return gatewayError("watch the upgrade", err)
	}
	if last == nil {
		return errors.New("the gateway ended the watch without a step")
	}
	switch last.GetState() {
	case platformv1.UpgradeState_UPGRADE_STATE_DONE:
		return nil
	case platformv1.UpgradeState_UPGRADE_STATE_ROLLED_BACK, platformv1.UpgradeState_UPGRADE_STATE_FAILED:
		return fmt.Errorf("upgrade %d %s: %s", id, upgradeState(last.GetState()), last.GetReason())
	}
	return fmt.Errorf("upgrade %d is still %s; follow it with the gateway's GetUpgrade", id, upgradeState(last.GetState()))
}

func upgradeState(s platformv1.UpgradeState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "UPGRADE_STATE_"))
}
