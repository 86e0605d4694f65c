package gateway_test

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/personal"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/sdk/client"
)

// TestPlatformRollout: policies, channels and a rollout through the
// gateway as their callers; WatchRollout streams it until it is done.
func TestPlatformRollout(t *testing.T) {
	e := newPlatformEnv(t)
	ctx := t.Context()
	devID, _ := identity.NewRandomEd25519Identity()
	audID, _ := identity.NewRandomEd25519Identity()
	userID, _ := identity.NewRandomEd25519Identity()
	strangerID, _ := identity.NewRandomEd25519Identity()
	op, dev, aud, user, stranger := e.as(t, e.op), e.as(t, devID), e.as(t, audID), e.as(t, userID), e.as(t, strangerID)
	rollouts := func(who identity.Identity) platformv1connect.RolloutServiceClient {
		key, err := client.GatewayKey(ctx, h2cClient(), e.url)
		if err != nil {
			t.Fatal(err)
		}
		s := client.NewSession(who, key, client.Options{Targets: nil})
		return platformv1connect.NewRolloutServiceClient(h2cClient(), e.url, connect.WithInterceptors(s.Interceptor()))
	}
	for _, g := range []struct {
		r  platformv1.Role
		id identity.Identity
	}{{platformv1.Role_ROLE_DEVELOPER, devID}, {platformv1.Role_ROLE_AUDITOR, audID}} {
		if _, err := op.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: g.r, Principal: g.id.Sender().String()})); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dev.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "personal", Name: "Personal"})); err != nil {
		t.Fatal(err)
	}
	publish := func(v, from string, module []byte) {
		t.Helper()
		if _, err := upload(ctx, dev, "personal", v, from, module); err != nil {
			t.Fatalf("upload %s: %v", v, err)
		}
		if _, err := dev.publisher.SubmitRelease(ctx, connect.NewRequest(&platformv1.SubmitReleaseRequest{App: "personal", Version: v})); err != nil {
			t.Fatal(err)
		}
		if _, err := aud.publisher.ApproveRelease(ctx, connect.NewRequest(&platformv1.ApproveReleaseRequest{App: "personal", Version: v})); err != nil {
			t.Fatal(err)
		}
		if _, err := dev.publisher.PublishRelease(ctx, connect.NewRequest(&platformv1.PublishReleaseRequest{App: "personal", Version: v})); err != nil {
			t.Fatal(err)
		}
	}
	publish("3.0.0", "", personal.MustWasm("3.0.0"))
	var ids []string
	for range 3 {
		inst, err := user.install.Install(ctx, connect.NewRequest(&platformv1.InstallRequest{App: "personal", Version: "3.0.0"}))
		if err != nil {
			t.Fatal(err)
		}
		c := inst.Msg.GetCanister()
		if c.GetUpgradePolicy().GetKind() != platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_MANUAL {
			t.Fatalf("a new canister's policy %v", c.GetUpgradePolicy())
		}
		ids = append(ids, c.GetCanisterId())
	}
	setPolicy := func(who platformClients, id string, p *platformv1.UpgradePolicy) (*platformv1.Canister, error) {
		resp, err := who.install.SetUpgradePolicy(ctx, connect.NewRequest(&platformv1.SetUpgradePolicyRequest{CanisterId: id, Policy: p}))
		if err != nil {
			return nil, err
		}
		return resp.Msg.GetCanister(), nil
	}
	c, err := setPolicy(user, ids[0], &platformv1.UpgradePolicy{Kind: platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_PATCH})
	if err != nil || c.GetUpgradePolicy().GetKind() != platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_PATCH {
		t.Fatalf("SetUpgradePolicy patch: %v %v", c, err)
	}
	if _, err := setPolicy(user, ids[1], &platformv1.UpgradePolicy{Kind: platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_CHANNEL, Channel: "stable"}); err != nil {
		t.Fatal(err)
	}
	_, err = setPolicy(stranger, ids[2], &platformv1.UpgradePolicy{Kind: platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_PATCH})
	wantCode(t, "a stranger's SetUpgradePolicy", err, connect.CodePermissionDenied, "not yours")
	_, err = setPolicy(user, ids[2], &platformv1.UpgradePolicy{Kind: platformv1.UpgradePolicyKind_UPGRADE_POLICY_KIND_CHANNEL, Channel: "No Way"})
	wantCode(t, "a bad channel", err, connect.CodeInvalidArgument, "a-z, 0-9")
	_, err = setPolicy(user, ids[2], &platformv1.UpgradePolicy{})
	wantCode(t, "no policy kind", err, connect.CodeInvalidArgument, "policy.kind")

	publish("3.0.1", "=3.0.0", canisters.MustWasm("test/personal-next/canister.wasm"))
	ch, err := rollouts(devID).SetReleaseChannels(ctx, connect.NewRequest(&platformv1.SetReleaseChannelsRequest{App: "personal", Version: "3.0.1", Channels: []string{"stable"}}))
	if err != nil || len(ch.Msg.GetRelease().GetChannels()) != 1 {
		t.Fatalf("SetReleaseChannels: %v %v", ch, err)
	}

	start := &platformv1.StartRolloutRequest{App: "personal", Version: "3.0.1", CanaryPercent: 50, BatchSize: 10,
		MaxFailures: &platformv1.FailureLimit{Limit: &platformv1.FailureLimit_Count{Count: 0}}}
	_, err = rollouts(userID).StartRollout(ctx, connect.NewRequest(start))
	wantCode(t, "a user without a role starts a rollout", err, connect.CodePermissionDenied, "without a role")
	_, err = rollouts(devID).StartRollout(ctx, connect.NewRequest(start))
	wantCode(t, "a developer starts a rollout", err, connect.CodePermissionDenied, "only operators")
	_, err = rollouts(e.op).StartRollout(ctx, connect.NewRequest(&platformv1.StartRolloutRequest{App: "personal", Version: "3.0.1", BatchSize: 10}))
	wantCode(t, "no max_failures", err, connect.CodeInvalidArgument, "max_failures")
	_, err = rollouts(e.op).StartRollout(ctx, connect.NewRequest(&platformv1.StartRolloutRequest{App: "personal", Version: "3.0.1", BatchSize: 0,
		MaxFailures: start.MaxFailures}))
	wantCode(t, "batch 0", err, connect.CodeInvalidArgument, "batch_size")

	started, err := rollouts(e.op).StartRollout(ctx, connect.NewRequest(start))
	if err != nil {
		t.Fatal(err)
	}
	r := started.Msg.GetRollout()
	if r.GetTotal() != 2 || r.GetManual() != 1 {
		t.Fatalf("started %v; want 2 targets and 1 manual", r)
	}
	_, err = rollouts(userID).GetRollout(ctx, connect.NewRequest(&platformv1.GetRolloutRequest{Id: r.GetId()}))
	wantCode(t, "a user reads a rollout", err, connect.CodeNotFound, "operators only")

	stream, err := rollouts(e.op).WatchRollout(ctx, connect.NewRequest(&platformv1.WatchRolloutRequest{Id: r.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	var last *platformv1.Rollout
	n := 0
	for stream.Receive() {
		last = stream.Msg().GetRollout()
		n++
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("WatchRollout: %v", err)
	}
	if n == 0 || last.GetState() != platformv1.RolloutState_ROLLOUT_STATE_DONE || last.GetDone() != 2 || last.GetFinishTime() == nil {
		t.Fatalf("WatchRollout ended after %d messages with %v", n, last)
	}
	list, err := rollouts(e.op).ListRollouts(ctx, connect.NewRequest(&platformv1.ListRolloutsRequest{App: "personal", PageSize: 5}))
	if err != nil || len(list.Msg.GetRollouts()) != 1 {
		t.Fatalf("ListRollouts %v %v", list, err)
	}
	_, err = rollouts(e.op).ResumeRollout(ctx, connect.NewRequest(&platformv1.ResumeRolloutRequest{Id: r.GetId()}))
	wantCode(t, "resume a done rollout", err, connect.CodeFailedPrecondition, "not paused")

	mine, err := user.install.ListMyCanisters(ctx, connect.NewRequest(&platformv1.ListMyCanistersRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range mine.Msg.GetCanisters() {
		manual := c.GetCanisterId() == ids[2]
		if want := map[bool]string{true: "3.0.0", false: "3.0.1"}[manual]; c.GetVersion() != want {
			t.Errorf("%s (%v) is on %s, want %s", c.GetCanisterId(), c.GetUpgradePolicy(), c.GetVersion(), want)
		}
		if manual && c.GetUpgradeAvailable() != "3.0.1" {
			t.Errorf("the manual canister is not told of 3.0.1: %q", c.GetUpgradeAvailable())
		}
	}
}
