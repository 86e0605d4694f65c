package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// PolicyKind is how far rollouts may take a canister on their own.
type PolicyKind string

// The policies: Manual (the default) lets no rollout touch the canister
// (its owner is only told of upgrades), Patch takes newer patches of the
// same major.minor, Minor newer versions of the same major, Channel the
// releases in one release channel.
const (
	Manual  PolicyKind = "manual"
	Patch   PolicyKind = "patch"
	Minor   PolicyKind = "minor"
	Channel PolicyKind = "channel"
)

// MaxChannelLen bounds a channel name (1..32 characters of [a-z0-9-]);
// MaxChannels bounds the channels of one release.
const (
	MaxChannelLen = 32
	MaxChannels   = 8
)

// UpgradePolicy is a canister's upgrade policy; Channel names the channel
// of a Channel policy.
type UpgradePolicy struct {
	Kind    PolicyKind
	Channel string
}

// String is the policy as ParsePolicy reads it: "manual", "patch",
// "minor", "channel:NAME".
func (p UpgradePolicy) String() string {
	if p.Kind == Channel {
		return "channel:" + p.Channel
	}
	return string(p.Kind)
}

// ParsePolicy reads "manual", "patch", "minor" or "channel:NAME".
func ParsePolicy(s string) (UpgradePolicy, error) {
	switch s {
	case "manual", "patch", "minor":
		return UpgradePolicy{Kind: PolicyKind(s)}, nil
	}
	name, ok := strings.CutPrefix(s, "channel:")
	if !ok {
		return UpgradePolicy{}, &Error{Kind: InvalidArgument, Message: fmt.Sprintf("policy %q is not manual, patch, minor or channel:NAME", s)}
	}
	if err := ValidChannel(name); err != nil {
		return UpgradePolicy{}, err
	}
	return UpgradePolicy{Kind: Channel, Channel: name}, nil
}

// ValidChannel checks a channel name as the registry does.
func ValidChannel(name string) error {
	if len(name) == 0 || len(name) > MaxChannelLen {
		return &Error{Kind: InvalidArgument, Message: fmt.Sprintf("channel %q must be 1 to %d characters", name, MaxChannelLen)}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return &Error{Kind: InvalidArgument, Message: fmt.Sprintf("channel %q may hold only a-z, 0-9 and -", name)}
		}
	}
	return nil
}

// SetPolicy sets the upgrade policy of the caller's canister id (its
// owner only; not while it upgrades).
func (cl *Client) SetPolicy(ctx context.Context, id principal.Principal, p UpgradePolicy) error {
	cp, err := upgradePolicyToCandid(p)
	if err != nil {
		return err
	}
	var out c.UnitResult
	if err := cl.call(ctx, "set_policy", &out, id, cp); err != nil {
		return err
	}
	return unit(out)
}

// SetReleaseChannels puts app/version in channels (at most MaxChannels,
// replacing the previous ones): the app's developers and operators.
func (cl *Client) SetReleaseChannels(ctx context.Context, app, version string, channels []string) (Release, error) {
	if channels == nil {
		channels = []string{}
	}
	return cl.releaseCall(ctx, "set_release_channels", app, version, channels)
}
