package main

import (
	"fmt"
	"io"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

const policyHelp = `Usage: canistry canister policy ID manual|patch|minor|channel:NAME [flags]

Sets what rollouts may do with your canister ID (a canister of the
platform's registry, through the gateway as --identity):

  manual        nothing: you are only told of upgrades ('canistry canisters'); the default
  patch         newer patches of the installed major.minor
  minor         newer versions of the installed major
  channel:NAME  the releases in release channel NAME (1 to 32 of a-z, 0-9, -)

Flags:
`

var policyKinds = map[registry.PolicyKind]platformv1.UpgradePolicyKind{
	registry.Manual:  platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MANUAL,
	registry.Patch:   platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_PATCH,
	registry.Minor:   platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MINOR,
	registry.Channel: platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_CHANNEL,
}

func runCanisterPolicy(args []string, stdout, stderr io.Writer) error {
	s := newSubcommand("canister policy", policyHelp, stderr)
	if err := s.parseVerb(args, stderr); err != nil {
		return err
	}
	if len(s.args) != 2 {
		return s.usageError(stderr, "canister policy ID manual|patch|minor|channel:NAME")
	}
	policy, err := registry.ParsePolicy(s.args[1])
	if err != nil {
		msg := err.Error()
		if re, ok := err.(*registry.Error); ok {
			msg = re.Message
		}
		fmt.Fprintf(stderr, "canistry canister policy: %s\n", msg)
		return errUsage
	}
	ctx, cancel := s.withTimeout()
	defer cancel()
	c, err := s.dial(ctx, stderr)
	if err != nil {
		return err
	}
	resp, err := c.install.SetUpgradePolicy(ctx, connect.NewRequest(&platformv1.SetUpgradePolicyRequest{CanisterId: s.args[0],
		Policy: &platformv1.UpgradePolicy{Kind: policyKinds[policy.Kind], Channel: policy.Channel}}))
	if err != nil {
		return gatewayError("set the policy of "+s.args[0], err)
	}
	k := resp.Msg.GetCanister()
	fmt.Fprintf(stdout, "%s %s %s: policy %s\n", k.GetCanisterId(), k.GetApp(), orDash(k.GetVersion()), policy)
	return nil
}
