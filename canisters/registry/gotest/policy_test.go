package gotest

import (
	"testing"

	"github.com/canistry/canistry/canisters/registry"
)

// TestPolicy: a new canister is on manual; its owner, and only its owner,
// sets another policy; channel names and release channels are bounded.
func TestPolicy(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("3.0.0", ""))
	owner, other := w.newActor(), w.newActor()
	c := install(t, owner, "3.0.0")
	if c.Policy.Kind != registry.Manual {
		t.Fatalf("a new canister's policy is %v, want manual", c.Policy)
	}
	for _, text := range []string{"patch", "minor", "channel:stable-2", "manual"} {
		pol, err := registry.ParsePolicy(text)
		if err != nil {
			t.Fatal(err)
		}
		if err := owner.reg.SetPolicy(ctx, c.ID, pol); err != nil {
			t.Fatalf("set policy %s: %v", text, err)
		}
		got, _, err := owner.reg.GetCanister(ctx, c.ID)
		if err != nil || got.Policy != pol || got.Policy.String() != text {
			t.Fatalf("after set_policy %s the canister says %v (%v)", text, got.Policy, err)
		}
	}
	patch := registry.UpgradePolicy{Kind: registry.Patch}
	wantKind(t, "another user's set_policy", other.reg.SetPolicy(ctx, c.ID, patch), registry.PermissionDenied)
	wantKind(t, "an operator's set_policy", w.operator.reg.SetPolicy(ctx, c.ID, patch), registry.PermissionDenied)
	for _, bad := range []string{"", "Stable", "a b", "x_y", "abcdefghijklmnopqrstuvwxyz0123456"} {
		_, err := registry.ParsePolicy("channel:" + bad)
		wantKind(t, "parse channel "+bad, err, registry.InvalidArgument)
	}
	events, err := owner.reg.History(ctx, "canister:"+c.ID.String(), 0, 100)
	if err != nil || events[len(events)-1].Action != "policy_set" || events[len(events)-1].Detail != "manual" {
		t.Errorf("history %+v %v", events, err)
	}

	// Release channels: the app's developers and operators, ≤ 8, deduplicated.
	rel, err := p.dev.reg.SetReleaseChannels(ctx, "personal", "3.0.0", []string{"stable", "beta", "stable"})
	if err != nil || len(rel.Channels) != 2 || rel.Channels[0] != "stable" || rel.Channels[1] != "beta" {
		t.Fatalf("set channels: %+v %v", rel.Channels, err)
	}
	if got, _, _ := owner.reg.GetRelease(ctx, "personal", "3.0.0"); len(got.Channels) != 2 {
		t.Errorf("get_release channels %v", got.Channels)
	}
	if _, err := w.operator.reg.SetReleaseChannels(ctx, "personal", "3.0.0", nil); err != nil {
		t.Errorf("an operator clears the channels: %v", err)
	}
	outsider := w.withRole(registry.Developer)
	_, err = outsider.reg.SetReleaseChannels(ctx, "personal", "3.0.0", []string{"stable"})
	wantKind(t, "another app's developer sets channels", err, registry.PermissionDenied)
	_, err = p.dev.reg.SetReleaseChannels(ctx, "personal", "3.0.0", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"})
	wantKind(t, "nine channels", err, registry.InvalidArgument)
	_, err = p.dev.reg.SetReleaseChannels(ctx, "personal", "3.0.0", []string{"Bad!"})
	wantKind(t, "a bad channel name", err, registry.InvalidArgument)
	_, err = p.dev.reg.SetReleaseChannels(ctx, "personal", "9.9.9", []string{"stable"})
	wantKind(t, "an unknown release", err, registry.NotFound)
}
