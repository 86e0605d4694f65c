package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/internal/testwait"
)

// fleetTTL is short so that the test sees the registry change without
// waiting out the default 10 s (the caching itself is tested inside).
const fleetTTL = 50 * time.Millisecond

// startFleetGateway is startPlatformGateway with a short fleet cache.
func startFleetGateway(t *testing.T, pool *ic.Pool, reg principal.Principal) string {
	t.Helper()
	gw, _ := identity.NewRandomEd25519Identity()
	c, err := pool.For(gw)
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.Start(context.Background(), host.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	g, err := gateway.New(gateway.Config{Host: h, IC: c, Users: delegated.NewSender(c, gw), Registry: reg, FleetTTL: fleetTTL})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, g)
}

// TestMetricsFleet scrapes the fleet gauges of a real registry: they
// follow a release being published and a canister installed, and a
// gateway whose "registry" cannot answer fleet_stats exports none of them
// but counts the failure.
func TestMetricsFleet(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, id, op := replicaWithRegistry(t)
	url := startFleetGateway(t, pool, id)

	fams := scrape(t, url)
	if v := mustValue(t, fams, "canistry_fleet_releases", map[string]string{"state": "released"}); v != 0 {
		t.Errorf("released before any release: %v", v)
	}
	if _, ok := fams["canistry_fleet_canisters"]; ok {
		t.Errorf("canister series before any canister: %v", fams["canistry_fleet_canisters"])
	}

	opc, _ := pool.For(op)
	reg := registry.New(opc, id)
	publishPersonal(t, reg, op.Sender(), "1.0.0")
	user, _ := identity.NewRandomEd25519Identity()
	uc, _ := pool.For(user)
	if _, err := registry.New(uc, id).Install(ctx, "personal", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	installed := map[string]string{"app": "personal", "version": "1.0.0", "state": "installed"}
	testwait.For(t, 10*time.Second, "the installed canister shows in canistry_fleet_canisters", func() bool {
		v, _ := value(scrape(t, url), "canistry_fleet_canisters", installed)
		return v == 1
	})
	fams = scrape(t, url)
	for labels, want := range map[[2]string]float64{
		{"canistry_fleet_releases", "released"}: 1, {"canistry_fleet_upgrades", "done"}: 0,
		{"canistry_fleet_upgrades", "in_progress"}: 0, {"canistry_fleet_scrape_errors_total", ""}: 0,
		{"canistry_fleet_low_cycles", ""}: 0,
	} {
		name, key := labels[0], map[string]string{}
		switch name {
		case "canistry_fleet_releases":
			key["state"] = labels[1]
		case "canistry_fleet_upgrades":
			key["outcome"] = labels[1]
		}
		if v := mustValue(t, fams, name, key); v != want {
			t.Errorf("%s%v = %v, want %v", name, key, v, want)
		}
	}

	// A personal canister does not speak registry/1: no fleet series, one
	// error per cache period.
	notRegistry, err := personal.CreateRelease(ctx, opc, "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	bad := startFleetGateway(t, pool, notRegistry)
	fams = scrape(t, bad)
	if v := mustValue(t, fams, "canistry_fleet_scrape_errors_total", nil); v < 1 {
		t.Errorf("scrape errors %v after a failed read", v)
	}
	for _, name := range []string{"canistry_fleet_canisters", "canistry_fleet_upgrades", "canistry_fleet_releases", "canistry_fleet_low_cycles"} {
		if _, ok := fams[name]; ok {
			t.Errorf("%s exported though fleet_stats failed", name)
		}
	}
}

// publishPersonal takes personal version through the registry's review
// as reg's identity me (operator, granting itself developer and auditor;
// the registry was installed with me in self_audit).
func publishPersonal(t *testing.T, reg *registry.Client, me principal.Principal, version string) {
	t.Helper()
	ctx := t.Context()
	for _, role := range []registry.Role{registry.Developer, registry.Auditor} {
		if err := reg.GrantRole(ctx, role, me); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.CreateApp(ctx, registry.NewApp{ID: "personal", Name: "Personal"}); err != nil {
		t.Fatal(err)
	}
	nr := registry.NewRelease{App: "personal", Version: version, Protocol: personal.Protocol(version), EnhancedPersistence: true}
	if _, err := reg.UploadRelease(ctx, nr, personal.MustWasm(version), nil); err != nil {
		t.Fatal(err)
	}
	steps := []func(context.Context, string, string) (registry.Release, error){reg.SubmitRelease, reg.ApproveRelease, reg.PublishRelease}
	for _, step := range steps {
		if _, err := step(ctx, "personal", version); err != nil {
			t.Fatal(err)
		}
	}
}
