package gateway_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/client"
)

// publishPersonal1 takes personal 1.0.0 through the store as a fresh
// developer and auditor the operator grants their roles.
func publishPersonal1(t *testing.T, e *platformEnv) {
	t.Helper()
	ctx := t.Context()
	devID, _ := identity.NewRandomEd25519Identity()
	audID, _ := identity.NewRandomEd25519Identity()
	op, dev, aud := e.as(t, e.op), e.as(t, devID), e.as(t, audID)
	for r, who := range map[platformv1.Role]identity.Identity{platformv1.Role_ROLE_DEVELOPER: devID, platformv1.Role_ROLE_AUDITOR: audID} {
		if _, err := op.publisher.GrantRole(ctx, connect.NewRequest(&platformv1.GrantRoleRequest{Role: r, Principal: who.Sender().String()})); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dev.publisher.CreateApp(ctx, connect.NewRequest(&platformv1.CreateAppRequest{App: "personal", Name: "Personal"})); err != nil {
		t.Fatal(err)
	}
	if _, err := upload(ctx, dev, "personal", "1.0.0", "", personal.MustWasm("1.0.0")); err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error {
			_, err := dev.publisher.SubmitRelease(ctx, connect.NewRequest(&platformv1.SubmitReleaseRequest{App: "personal", Version: "1.0.0"}))
			return err
		},
		func() error {
			_, err := aud.publisher.ApproveRelease(ctx, connect.NewRequest(&platformv1.ApproveReleaseRequest{App: "personal", Version: "1.0.0"}))
			return err
		},
		func() error {
			_, err := dev.publisher.PublishRelease(ctx, connect.NewRequest(&platformv1.PublishReleaseRequest{App: "personal", Version: "1.0.0"}))
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

// nearFreezing sets the freezing threshold of the owner's canister id so
// that ten days of its idle burn are left above the freezing limit.
func nearFreezing(t *testing.T, e *platformEnv, owner identity.Identity, id principal.Principal) {
	t.Helper()
	a := e.replica.Agent(t, owner)
	var st mgmt.CanisterStatusResult
	if err := a.Call(replicatest.Management, "canister_status", []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&st}); err != nil {
		t.Fatal(err)
	}
	idle := st.IdleCyclesBurnedPerDay.BigInt()
	rest := new(big.Int).Sub(st.Cycles.BigInt(), new(big.Int).Mul(idle, big.NewInt(10)))
	n := idl.NewBigNat(rest.Mul(rest, big.NewInt(86_400)).Quo(rest, idle))
	if err := a.Call(replicatest.Management, "update_settings",
		[]any{mgmt.UpdateSettingsArgs{CanisterID: id, Settings: mgmt.CanisterSettings{FreezingThreshold: &n}}}, []any{}); err != nil {
		t.Fatal(err)
	}
}

// TestPlatformCycles drives CyclesService through Connect: an operator
// grants credit and sets the poller, the registry tops a canister near
// freezing up on its own, and its owner sees it charged (also over
// Connect's JSON, with uint64 as strings).
func TestPlatformCycles(t *testing.T) {
	e := newPlatformEnv(t)
	ctx := t.Context()
	publishPersonal1(t, e)
	userID, _ := identity.NewRandomEd25519Identity()
	user := e.as(t, userID)
	cyclesAs := func(who identity.Identity, opts ...connect.ClientOption) platformv1connect.CyclesServiceClient {
		key, err := client.GatewayKey(ctx, h2cClient(), e.url)
		if err != nil {
			t.Fatal(err)
		}
		s := client.NewSession(who, key, client.Options{Targets: []principal.Principal{e.registry}})
		return platformv1connect.NewCyclesServiceClient(h2cClient(), e.url, append(opts, connect.WithInterceptors(s.Interceptor()))...)
	}
	op, mine := cyclesAs(e.op), cyclesAs(userID)

	_, err := op.SetCyclesSettings(ctx, connect.NewRequest(&platformv1.SetCyclesSettingsRequest{Settings: &platformv1.CyclesSettings{PollIntervalSeconds: 0, BatchSize: 10}}))
	wantCode(t, "a poll interval of 0", err, connect.CodeInvalidArgument, "poll_interval_seconds")
	if _, err := op.SetCyclesSettings(ctx, connect.NewRequest(&platformv1.SetCyclesSettingsRequest{Settings: &platformv1.CyclesSettings{PollIntervalSeconds: 1, BatchSize: 10, Reserve: 1_000_000_000}})); err != nil {
		t.Fatal(err)
	}
	_, err = mine.GrantCredit(ctx, connect.NewRequest(&platformv1.GrantCreditRequest{Owner: userID.Sender().String(), Amount: 1}))
	wantCode(t, "a user granting credit", err, connect.CodePermissionDenied, "grant_credit")
	const credit = 5_000_000_000_000
	g, err := op.GrantCredit(ctx, connect.NewRequest(&platformv1.GrantCreditRequest{Owner: userID.Sender().String(), Amount: credit}))
	if err != nil || g.Msg.GetCredit().GetBalance() != credit {
		t.Fatalf("GrantCredit: %v, %v", g, err)
	}
	_, err = op.SetCyclesPolicy(ctx, connect.NewRequest(&platformv1.SetCyclesPolicyRequest{App: "personal", Policy: &platformv1.CyclesPolicy{MaxTopUp: 1}}))
	wantCode(t, "a policy without a strategy", err, connect.CodeInvalidArgument, "strategy")
	_, err = op.SetCyclesPolicy(ctx, connect.NewRequest(&platformv1.SetCyclesPolicyRequest{App: "personal", Policy: &platformv1.CyclesPolicy{
		Strategy: &platformv1.CyclesPolicy_BelowBalance{BelowBalance: &platformv1.BelowBalance{Threshold: 10, FundTo: 5}}, MaxTopUp: 1}}))
	wantCode(t, "fund_to under threshold", err, connect.CodeInvalidArgument, "fund_to")
	pol, err := mine.GetCyclesPolicy(ctx, connect.NewRequest(&platformv1.GetCyclesPolicyRequest{App: "personal"}))
	if err != nil || pol.Msg.GetPolicy().GetBelowRuntime().GetThresholdSeconds() != 30*86_400 {
		t.Fatalf("the default policy: %v, %v", pol, err)
	}

	inst, err := user.install.Install(ctx, connect.NewRequest(&platformv1.InstallRequest{App: "personal", Version: "1.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	id := principal.MustDecode(inst.Msg.GetCanister().GetCanisterId())
	nearFreezing(t, e, userID, id)

	deadline, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var got *platformv1.CanisterCycles
	for got.GetToppedUpTotal() == 0 {
		resp, err := mine.GetCanisterCycles(deadline, connect.NewRequest(&platformv1.GetCanisterCyclesRequest{CanisterId: id.String()}))
		if err != nil {
			t.Fatalf("GetCanisterCycles: %v (last %v)", err, got)
		}
		got = resp.Msg.GetCycles()
		select {
		case <-deadline.Done():
			t.Fatalf("not topped up: %v", got)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if got.GetLow() || got.GetRunwaySeconds() < 60*86_400 || got.GetLastTopUpTime() == nil || got.GetOwner() != userID.Sender().String() {
		t.Fatalf("after the top-up: %v", got)
	}
	// Over Connect's JSON: the same credit, uint64 fields as strings.
	c, err := cyclesAs(userID, connect.WithProtoJSON()).GetCredit(ctx, connect.NewRequest(&platformv1.GetCreditRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if cr := c.Msg.GetCredit(); cr.GetCharged() != got.GetToppedUpTotal() || cr.GetBalance() != credit-got.GetToppedUpTotal() || len(cr.GetWarnings()) != 0 {
		t.Fatalf("credit %v after a top-up of %d", cr, got.GetToppedUpTotal())
	}
	low, err := op.ListLowCycles(ctx, connect.NewRequest(&platformv1.ListLowCyclesRequest{}))
	if err != nil || len(low.Msg.GetCanisters()) != 0 {
		t.Fatalf("ListLowCycles: %v, %v; want none once funded", low, err)
	}
	rc, err := op.GetRegistryCycles(ctx, connect.NewRequest(&platformv1.GetRegistryCyclesRequest{}))
	if err != nil || rc.Msg.GetToppedUpTotal() != got.GetToppedUpTotal() || rc.Msg.GetTopUps() != 1 || rc.Msg.GetBalance() == 0 {
		t.Fatalf("GetRegistryCycles: %v, %v", rc, err)
	}
	_, err = mine.GetRegistryCycles(ctx, connect.NewRequest(&platformv1.GetRegistryCyclesRequest{}))
	wantCode(t, "a user reading the registry's cycles", err, connect.CodePermissionDenied, "operators")
	stranger, _ := identity.NewRandomEd25519Identity()
	_, err = cyclesAs(stranger).GetCanisterCycles(ctx, connect.NewRequest(&platformv1.GetCanisterCyclesRequest{CanisterId: id.String()}))
	wantCode(t, "a stranger reading the canister's cycles", err, connect.CodeNotFound, "")
}
