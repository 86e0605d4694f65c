package gateway_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/chromedp/chromedp"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/internal/browsertest"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/client"
)

// The dashboard in a real browser: Debian's chromium, headless, driven by
// chromedp, over a real replica, registry and gateway.

// dashboardFleet publishes personal 1.0.0, 2.0.0 and 3.0.0 as op (the
// registry's operator, in its self_audit) and installs canisters through
// the registry: the owner one of each version, others more, one of them
// upgraded, so that every version has a different count.
func dashboardFleet(t *testing.T, pool *ic.Pool, reg principal.Principal, op, owner identity.Identity) {
	t.Helper()
	ctx := t.Context()
	opc, _ := pool.For(op)
	r := registry.New(opc, reg)
	for _, role := range []registry.Role{registry.Developer, registry.Auditor} {
		if err := r.GrantRole(ctx, role, op.Sender()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "Personal"}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range [][2]string{{"1.0.0", ""}, {"2.0.0", ">=1.0.0 <2.0.0"}, {"3.0.0", ">=1.0.0 <3.0.0"}} {
		nr := registry.NewRelease{App: "personal", Version: rel[0], Protocol: personal.Protocol(rel[0]),
			UpgradeFrom: rel[1], EnhancedPersistence: true}
		if _, err := r.UploadRelease(ctx, nr, personal.MustWasm(rel[0]), nil); err != nil {
			t.Fatal(err)
		}
		for _, step := range []func(context.Context, string, string) (registry.Release, error){r.SubmitRelease, r.ApproveRelease, r.PublishRelease} {
			if _, err := step(ctx, "personal", rel[0]); err != nil {
				t.Fatal(err)
			}
		}
	}
	two, _ := identity.NewRandomEd25519Identity()
	three, _ := identity.NewRandomEd25519Identity()
	installs := map[identity.Identity][]string{owner: {"1.0.0", "2.0.0", "3.0.0"}, two: {"1.0.0", "1.0.0"}, three: {"3.0.0", "3.0.0"}}
	for who, versions := range installs {
		c, _ := pool.For(who)
		for _, v := range versions {
			if _, err := registry.New(c, reg).Install(ctx, "personal", v); err != nil {
				t.Fatalf("install %s: %v", v, err)
			}
		}
	}
	// One of two's 1.0.0 canisters moves to 2.0.0: 1.0.0 ×2, 2.0.0 ×2,
	// 3.0.0 ×3, and one upgrade done.
	c, _ := pool.For(two)
	r2 := registry.New(c, reg)
	mine, err := r2.MyCanisters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	up, err := r2.Upgrade(ctx, mine[0].ID, "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if up, err = r2.WatchUpgrade(ctx, up.ID, 20*time.Millisecond, nil); err != nil || up.State != registry.Done {
		t.Fatalf("upgrade: %v %v", up.State, err)
	}
}

// replicaWithRegistry starts a replica with a registry installed by op, its
// first operator (and in its self_audit).
func replicaWithRegistry(t *testing.T) (*ic.Pool, principal.Principal, identity.Identity) {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	pool, err := ic.NewPool(ic.Config{URL: r.URL, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	op, _ := identity.NewRandomEd25519Identity()
	reg, err := replicatest.CreateWith(r.Agent(t, op), registryCycles)
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.Install(t.Context(), r.Agent(t, op), reg, registry.Init{SelfAudit: []principal.Principal{op.Sender()}}); err != nil {
		t.Fatal(err)
	}
	return pool, reg, op
}

// dashboardSignIn is what canistry dashboard puts in the URL's fragment
// for who (a delegation from who to the gateway's key, towards the
// registry, as a Canistry-Delegation value), and the client option that
// makes the test's own API calls as who.
func dashboardSignIn(t *testing.T, who identity.Identity, key []byte, reg principal.Principal) (string, connect.ClientOption) {
	t.Helper()
	chain, err := delegated.Delegate(who, key, time.Now().Add(time.Hour), []principal.Principal{reg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	header, err := chain.Header()
	if err != nil {
		t.Fatal(err)
	}
	session := client.NewSession(who, key, client.Options{Targets: []principal.Principal{reg}})
	return header, connect.WithInterceptors(session.Interceptor())
}

// dashboardGateway serves a gateway with one test adapter over the
// registry and returns its URL and key.
func dashboardGateway(t *testing.T, pool *ic.Pool, reg principal.Principal) (string, []byte) {
	t.Helper()
	gw, _ := identity.NewRandomEd25519Identity()
	c, _ := pool.For(gw)
	bin := testAdapter(t)
	data, _ := os.ReadFile(bin)
	sum := sha256.Sum256(data)
	health := gateway.NewHealth()
	h, err := host.Start(context.Background(), host.Config{
		Sources:  []host.Source{{Name: "personal2", Path: bin, Args: []string{"personal2"}, Checksum: sum[:]}},
		OnHealth: health.Set,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	g, err := gateway.New(gateway.Config{Host: h, IC: c, Users: delegated.NewSender(c, gw), Health: health, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, g), gw.PublicKey()
}

// bar is one bar of the page's version chart, or one row of its table.
type bar struct {
	App     string `json:"app"`
	Version string `json:"version"`
	State   string `json:"state"`
	Count   int    `json:"count"`
}

// chartBars are the chart's bars as the page shows them (data attributes).
const chartBars = `[...document.querySelectorAll('#fleet-chart g.bar')].map(g => ({app: g.dataset.app, version: g.dataset.version, count: Number(g.dataset.count)}))`

// wantBars is what the chart must show of stats: per app and version, the
// canisters with code (installed or upgrading).
func wantBars(stats *platformv1.FleetStats) []bar {
	var out []bar
	for _, g := range stats.GetCanisters() {
		if g.GetVersion() == "" {
			continue
		}
		i := slices.IndexFunc(out, func(b bar) bool { return b.App == g.GetApp() && b.Version == g.GetVersion() })
		if i < 0 {
			out = append(out, bar{App: g.GetApp(), Version: g.GetVersion()})
			i = len(out) - 1
		}
		out[i].Count += int(g.GetCount())
	}
	slices.SortFunc(out, func(a, b bar) int { return strings.Compare(a.App+" "+a.Version, b.App+" "+b.Version) })
	return out
}

func sortedBars(bs []bar) []bar {
	slices.SortFunc(bs, func(a, b bar) int { return strings.Compare(a.App+" "+a.Version, b.App+" "+b.Version) })
	return bs
}

func TestDashboardInBrowser(t *testing.T) {
	browsertest.Require(t) // before the replica starts
	pool, reg, op := replicaWithRegistry(t)
	owner, _ := identity.NewRandomEd25519Identity()
	dashboardFleet(t, pool, reg, op, owner)
	url, key := dashboardGateway(t, pool, reg)

	header, opt := dashboardSignIn(t, owner, key, reg)
	fleetAPI := platformv1connect.NewFleetServiceClient(h2cClient(), url, opt)
	installAPI := platformv1connect.NewInstallServiceClient(h2cClient(), url, opt)

	tab := browsertest.Tab(t, 50*time.Second)
	settled := `document.body.dataset.polls >= 1 && ['panel-fleet', 'panel-mine', 'panel-adapters', 'panel-events']
		.every(id => document.getElementById(id).dataset.state === 'ok')`
	browsertest.Open(t, tab, url+"/#delegation="+header)
	if err := browsertest.Wait(tab, settled, 30*time.Second); err != nil {
		states := browsertest.Eval[string](t, tab, `[...document.querySelectorAll('section')].map(s => s.id + '=' + s.dataset.state + ' ' + (s.querySelector('.note') || {}).textContent).join('; ')`)
		t.Fatalf("the panels did not load: %v (%s)", err, states)
	}

	// The delegation left the address for the tab's session storage.
	type fragment struct {
		Hash   string `json:"hash"`
		Stored bool   `json:"stored"`
	}
	where := browsertest.Eval[fragment](t, tab, `({hash: location.hash, stored: sessionStorage.getItem('canistry-delegation') === `+jsString(header)+`})`)
	if where.Hash != "" || !where.Stored {
		t.Errorf("after load: hash %q, stored %v; want the delegation moved into sessionStorage", where.Hash, where.Stored)
	}

	// The chart's numbers are the API's.
	stats, err := fleetAPI.GetFleetStats(t.Context(), connect.NewRequest(&platformv1.GetFleetStatsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	want := wantBars(stats.Msg.GetStats())
	if fmt.Sprint(want) != fmt.Sprint([]bar{{"personal", "1.0.0", "", 2}, {"personal", "2.0.0", "", 2}, {"personal", "3.0.0", "", 3}}) {
		t.Fatalf("GetFleetStats: %v; want the fleet the test installed", stats.Msg.GetStats())
	}
	got := browsertest.Eval[[]bar](t, tab, chartBars)
	if fmt.Sprint(sortedBars(got)) != fmt.Sprint(want) {
		t.Errorf("the chart shows %v; GetFleetStats says %v", got, want)
	}
	rows := browsertest.Eval[[]bar](t, tab, `[...document.querySelectorAll('#fleet-table tbody tr')].map(r => ({app: r.dataset.app, version: r.dataset.version, state: r.dataset.state, count: Number(r.dataset.count)}))`)
	if len(rows) != len(stats.Msg.GetStats().GetCanisters()) {
		t.Errorf("the table has %d rows, the API %d groups", len(rows), len(stats.Msg.GetStats().GetCanisters()))
	}
	for i, g := range stats.Msg.GetStats().GetCanisters() {
		if i < len(rows) && (rows[i].App != g.GetApp() || rows[i].Version != g.GetVersion() || rows[i].Count != int(g.GetCount()) ||
			"CANISTER_STATE_"+strings.ToUpper(rows[i].State) != g.GetState().String()) {
			t.Errorf("table row %d: %v; API %v", i, rows[i], g)
		}
	}
	figures := browsertest.Eval[map[string]int](t, tab, `Object.fromEntries([...document.querySelectorAll('.figures b')].map(b => [b.id, Number(b.dataset.count)]))`)
	s := stats.Msg.GetStats()
	for id, n := range map[string]uint32{"fleet-total": 7, "fleet-apps": s.GetApps(), "upgrades-done": s.GetUpgrades().GetDone(),
		"releases-released": s.GetReleases().GetReleased(), "upgrades-rolled-back": s.GetUpgrades().GetRolledBack()} {
		if figures[id] != int(n) {
			t.Errorf("#%s = %d; want %d", id, figures[id], n)
		}
	}
	if s.GetUpgrades().GetDone() != 1 || s.GetReleases().GetReleased() != 3 {
		t.Errorf("GetFleetStats: %d upgrades done, %d released; want 1 and 3", s.GetUpgrades().GetDone(), s.GetReleases().GetReleased())
	}

	// The owner's view lists the owner's canisters with what they may
	// upgrade to.
	mine, err := installAPI.ListMyCanisters(t.Context(), connect.NewRequest(&platformv1.ListMyCanistersRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	type ownerRow struct {
		ID      string `json:"id"`
		Version string `json:"version"`
		Upgrade string `json:"upgrade"`
		Policy  string `json:"policy"`
	}
	shown := browsertest.Eval[[]ownerRow](t, tab, `[...document.querySelectorAll('#my-canisters tr.canister')].map(r => ({id: r.dataset.canisterId, version: r.dataset.version, upgrade: r.dataset.upgradeAvailable, policy: r.dataset.policy}))`)
	if len(shown) != 3 || len(mine.Msg.GetCanisters()) != 3 {
		t.Fatalf("the owner's view shows %v; the API lists %v", shown, mine.Msg.GetCanisters())
	}
	for i, c := range mine.Msg.GetCanisters() {
		if shown[i].ID != c.GetCanisterId() || shown[i].Version != c.GetVersion() || shown[i].Upgrade != c.GetUpgradeAvailable() || shown[i].Policy != "manual" {
			t.Errorf("owner's row %d: %+v; API %v", i, shown[i], c)
		}
	}
	for _, row := range shown {
		if want := map[string]string{"1.0.0": "3.0.0", "2.0.0": "3.0.0", "3.0.0": ""}[row.Version]; row.Upgrade != want {
			t.Errorf("the %s canister shows upgrade available %q; want %q", row.Version, row.Upgrade, want)
		}
	}

	// Adapters as GetGatewayStatus says; the panels whose services this
	// gateway lacks say so.
	type adapterRow struct {
		Name    string `json:"name"`
		Healthy string `json:"healthy"`
	}
	adapters := browsertest.Eval[[]adapterRow](t, tab, `[...document.querySelectorAll('#adapters tr.adapter')].map(r => ({name: r.dataset.name, healthy: r.dataset.healthy}))`)
	status, err := fleetAPI.GetGatewayStatus(t.Context(), connect.NewRequest(&platformv1.GetGatewayStatusRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if a := status.Msg.GetAdapters(); len(a) != 1 || a[0].GetName() != "personal2" || !a[0].GetHealthy() || a[0].GetProtocol() != "personal" ||
		status.Msg.GetRegistry() != reg.String() {
		t.Errorf("GetGatewayStatus: %v; want personal2 serving and the registry", status.Msg)
	}
	if len(adapters) != 1 || adapters[0].Name != "personal2" || adapters[0].Healthy != "true" {
		t.Errorf("adapters shown: %+v; want personal2 serving, as GetGatewayStatus says", adapters)
	}
	// The rollout and cycles panels are the registry's operators': an
	// owner's page loads them and finds nothing (the registry answers
	// non-operators an empty list); the owner's credit line is the API's.
	for _, id := range []string{"panel-rollouts", "panel-cycles"} {
		if st := browsertest.Eval[string](t, tab, `document.getElementById('`+id+`').dataset.state`); st != "ok" {
			t.Errorf("%s: state %q; want ok", id, st)
		}
	}
	credit, err := platformv1connect.NewCyclesServiceClient(h2cClient(), url, opt).GetCredit(t.Context(), connect.NewRequest(&platformv1.GetCreditRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if b := browsertest.Eval[string](t, tab, `document.getElementById('my-credit').dataset.balance`); b != fmt.Sprint(credit.Msg.GetCredit().GetBalance()) {
		t.Errorf("the owner's credit line shows balance %q; GetCredit says %d", b, credit.Msg.GetCredit().GetBalance())
	}
	events := browsertest.Eval[int](t, tab, `document.querySelectorAll('#events li.event').length`)
	if events == 0 {
		t.Error("no recent events shown")
	}

	// Live: a canister installed now shows within a few polls.
	four, _ := identity.NewRandomEd25519Identity()
	fc, _ := pool.For(four)
	if _, err := registry.New(fc, reg).Install(t.Context(), "personal", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	live := `(b => b && Number(b.dataset.count) === 3)(document.querySelector('#fleet-chart g.bar[data-version="1.0.0"]'))
		&& document.getElementById('fleet-total').dataset.count === '8'`
	if err := browsertest.Wait(tab, live, 15*time.Second); err != nil {
		t.Errorf("the chart did not follow a new install: %v", err)
	}

	browsertest.Screenshot(t, tab, "dashboard.png")

	// A tab without a delegation says how to get one.
	bare, cancelBare := chromedp.NewContext(tab)
	defer cancelBare()
	browsertest.Open(t, bare, url+"/")
	if err := browsertest.Wait(bare, `!document.getElementById('signin').hidden`, 10*time.Second); err != nil {
		t.Fatalf("without a delegation: %v", err)
	}
	if signin := browsertest.Eval[string](t, bare, `document.getElementById('signin').textContent`); !strings.Contains(signin, "canistry dashboard") {
		t.Errorf("without a delegation the page says %q; want how to get one", signin)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
