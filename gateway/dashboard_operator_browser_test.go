package gateway_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/internal/browsertest"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/internal/testwait"
)

// gatedFleet publishes app gated (canisters/test/gated: its health check
// answers once its gate is open) 1.0.0 and installs n canisters of it for
// user, who takes patches; then it releases 1.0.1. It returns user's
// registry client and IC client.
func gatedFleet(t *testing.T, pool *ic.Pool, reg principal.Principal, op identity.Identity, n int) (*registry.Client, *ic.Client) {
	t.Helper()
	ctx := t.Context()
	opc, _ := pool.For(op)
	r := registry.New(opc, reg)
	if _, err := r.CreateApp(ctx, registry.NewApp{ID: "gated", Name: "Gated"}); err != nil {
		t.Fatal(err)
	}
	publish := func(version, from string) {
		nr := registry.NewRelease{App: "gated", Version: version, Protocol: "gated/1.0.0", UpgradeFrom: from, EnhancedPersistence: true}
		if _, err := r.UploadRelease(ctx, nr, canisters.MustWasm("test/gated/canister.wasm"), nil); err != nil {
			t.Fatal(err)
		}
		for _, step := range []func(context.Context, string, string) (registry.Release, error){r.SubmitRelease, r.ApproveRelease, r.PublishRelease} {
			if _, err := step(ctx, "gated", version); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish("1.0.0", "")
	user, _ := identity.NewRandomEd25519Identity()
	uc, _ := pool.For(user)
	ur := registry.New(uc, reg)
	for range n {
		c, err := ur.Install(ctx, "gated", "1.0.0")
		if err != nil {
			t.Fatal(err)
		}
		if err := ur.SetPolicy(ctx, c.ID, registry.UpgradePolicy{Kind: registry.Patch}); err != nil {
			t.Fatal(err)
		}
	}
	publish("1.0.1", "=1.0.0")
	return ur, uc
}

// openGateOfUpgrading opens the gate of the user's canister that is
// upgrading, if one is and it runs: its health check then answers.
func openGateOfUpgrading(t *testing.T, ur *registry.Client, uc *ic.Client) bool {
	t.Helper()
	mine, err := ur.MyCanisters(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(mine, func(c registry.Canister) bool { return c.State == registry.Upgrading })
	if i < 0 {
		return false
	}
	// Refused while the canister is stopped for its snapshot or install:
	// asked again.
	_, err = uc.Call(t.Context(), mine[i].ID, "open_gate", noArgs)
	return err == nil
}

// noArgs is the Candid encoding of no arguments.
var noArgs = []byte("DIDL\x00\x00")

// TestDashboardOperatorView: an operator's page shows a running rollout's
// progress bar move, batch by batch, as the API reports it, and lists the
// canisters low on cycles as ListLowCycles does.
func TestDashboardOperatorView(t *testing.T) {
	browsertest.Require(t)
	pool, reg, op := replicaWithRegistry(t)
	owner, _ := identity.NewRandomEd25519Identity()
	dashboardFleet(t, pool, reg, op, owner)
	ur, uc := gatedFleet(t, pool, reg, op, 3)
	opc, _ := pool.For(op)
	opReg := registry.New(opc, reg)
	ctx := t.Context()
	// Every personal canister is low: a threshold above any balance, and
	// their owners hold no credit (reported, not funded).
	if err := opReg.SetCyclesSettings(ctx, registry.CyclesSettings{PollInterval: time.Second, BatchSize: 50, Reserve: 100_000_000_000}); err != nil {
		t.Fatal(err)
	}
	if err := opReg.SetCyclesPolicy(ctx, "personal", registry.CyclesPolicy{Strategy: registry.BelowBalance,
		Threshold: 50_000_000_000_000, FundTo: 100_000_000_000_000, MaxTopUp: 1_000_000_000_000}); err != nil {
		t.Fatal(err)
	}
	url, key := dashboardGateway(t, pool, reg)
	header, opt := dashboardSignIn(t, op, key, reg)
	rollouts := platformv1connect.NewRolloutServiceClient(h2cClient(), url, opt)
	cyclesAPI := platformv1connect.NewCyclesServiceClient(h2cClient(), url, opt)

	// One canary, then batches of one; each waits in its health check.
	start, err := rollouts.StartRollout(ctx, connect.NewRequest(&platformv1.StartRolloutRequest{App: "gated", Version: "1.0.1",
		CanaryPercent: 33, BatchSize: 1, MaxFailures: &platformv1.FailureLimit{Limit: &platformv1.FailureLimit_Count{Count: 0}}}))
	if err != nil {
		t.Fatal(err)
	}
	id := start.Msg.GetRollout().GetId()

	tab := browsertest.Tab(t, 50*time.Second)
	browsertest.Open(t, tab, url+"/#delegation="+header)
	bar := func(finished int) string {
		return `(li => li && Number(li.dataset.total) === 3 && Number(li.dataset.finished) === ` + strconv.Itoa(finished) +
			` && li.querySelector('progress').value === ` + strconv.Itoa(finished) + `)(document.querySelector('#rollouts li.rollout[data-id="` + strconv.FormatUint(id, 10) + `"]'))`
	}
	// The bar moves 0 → 1 → 2 → 3 as each canister's gate opens, and the
	// page agrees with GetRollout at each step.
	for finished := 0; finished <= 3; finished++ {
		if err := browsertest.Wait(tab, bar(finished), 20*time.Second); err != nil {
			shown := browsertest.Eval[string](t, tab, `(document.getElementById('rollouts') || {}).textContent`)
			t.Fatalf("the rollout's bar never showed %d of 3 finished: %v (page: %s)", finished, err, shown)
		}
		got, err := rollouts.GetRollout(ctx, connect.NewRequest(&platformv1.GetRolloutRequest{Id: id}))
		if err != nil {
			t.Fatal(err)
		}
		g := got.Msg.GetRollout()
		if n := g.GetDone() + g.GetRolledBack() + g.GetFailed(); int(n) != finished {
			t.Fatalf("the page shows %d finished, GetRollout %d (%v)", finished, n, g)
		}
		if finished < 3 {
			testwait.For(t, 20*time.Second, "an upgrade of the rollout in its health check", func() bool { return openGateOfUpgrading(t, ur, uc) })
		}
	}
	if err := browsertest.Wait(tab, `document.querySelector('#rollouts li.rollout[data-id="`+strconv.FormatUint(id, 10)+`"]').dataset.state === 'done'`, 20*time.Second); err != nil {
		t.Errorf("the rollout is not shown done: %v", err)
	}

	// The low-cycles list is ListLowCycles'.
	var want []string
	testwait.For(t, 30*time.Second, "the registry finds the personal canisters low", func() bool {
		low, err := cyclesAPI.ListLowCycles(ctx, connect.NewRequest(&platformv1.ListLowCyclesRequest{PageSize: 50}))
		if err != nil {
			t.Fatal(err)
		}
		want = want[:0]
		for _, c := range low.Msg.GetCanisters() {
			want = append(want, c.GetCanisterId())
		}
		return len(want) == 7
	})
	slices.Sort(want)
	listed := `[...document.querySelectorAll('#low-cycles tr.low.no-credit')].map(r => r.dataset.canister).sort().join(' ') === ` + jsString(strings.Join(want, " "))
	if err := browsertest.Wait(tab, listed, 20*time.Second); err != nil {
		shown := browsertest.Eval[[]string](t, tab, `[...document.querySelectorAll('#low-cycles tr.low')].map(r => r.dataset.canister)`)
		t.Errorf("low cycles shown %v; ListLowCycles %v: %v", shown, want, err)
	}
	browsertest.Screenshot(t, tab, "dashboard-operator.png")
}
