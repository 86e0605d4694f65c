package gotest

import (
	"slices"
	"testing"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/registry"
)

// TestVersionsAndConstraints drives the registry's semver module
// (Semver.mo) through its API: which versions and constraints
// create_release takes, the order list_releases gives, and which
// upgrade_from constraints admit an installed 1.0.0 (the allowed list of
// a refused upgrade path).
func TestVersionsAndConstraints(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	ctx := t.Context()
	p := w.newPublisher()
	p.publish(personalRelease("1.0.0", ""))
	tiny := canisters.MustWasm("test/counter/canister.wasm")
	admits := map[string]bool{
		"1.0.1":       true,  // ^1.0.0
		"1.0.2":       true,  // ~1.0.0
		"1.0.3":       false, // >1.0.0
		"1.0.4":       true,  // >=1.0.0 <1.0.1
		"1.0.5":       true,  // =0.9.0 || =1.0.0
		"1.0.6":       true,  // 1.0.0
		"1.0.7":       false, // <=0.9.9 || >=2.0.0
		"1.0.8":       false, // ""
		"1.0.10":      true,  // <=1.0.0
		"1.1.0-rc.1":  false, // ^0.9.0 (0.x: same minor)
		"1.1.0-rc.10": true,  // ^1.0.0-alpha (a pre-release is below its release)
		"1.1.0":       true,  // ~0.9.0 || >=1.0.0-rc.1 <1.0.1
		"2.0.0":       false, // <1.0.0
		"2.0.1":       false, // ^0.0.1
	}
	constraints := map[string]string{
		"1.0.1": "^1.0.0", "1.0.2": "~1.0.0", "1.0.3": ">1.0.0", "1.0.4": ">=1.0.0 <1.0.1",
		"1.0.5": "=0.9.0 || =1.0.0", "1.0.6": "1.0.0", "1.0.7": "<=0.9.9 || >=2.0.0", "1.0.8": "",
		"1.0.10": "<=1.0.0", "1.1.0-rc.1": "^0.9.0", "1.1.0-rc.10": "^1.0.0-alpha",
		"1.1.0": "~0.9.0 ||  >=1.0.0-rc.1   <1.0.1", "2.0.0": "<1.0.0", "2.0.1": "^0.0.1",
	}
	for v, c := range constraints {
		p.publish(release{version: v, protocol: "counter/" + v, upgradeFrom: c, module: tiny})
	}
	user := w.newActor()
	c := install(t, user, "1.0.0")
	_, err := user.reg.Upgrade(ctx, c.ID, "2.0.0")
	e := wantKind(t, "upgrade to 2.0.0", err, registry.UpgradePath)
	var want []string
	rels, err := user.reg.ListReleases(ctx, "personal")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range rels {
		order = append(order, r.Version)
		if admits[r.Version] {
			want = append(want, r.Version)
		}
	}
	wantOrder := []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "1.0.8", "1.0.10", "1.1.0-rc.1", "1.1.0-rc.10", "1.1.0", "2.0.0", "2.0.1"}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("list_releases order %v\nwant %v", order, wantOrder)
	}
	if !slices.Equal(e.Allowed, want) {
		t.Errorf("allowed from 1.0.0: %v\nwant %v", e.Allowed, want)
	}

	// What create_release refuses.
	draft := registry.NewRelease{App: "personal", Protocol: "counter/x"}
	if _, err := registry.Chunk(tiny, &draft); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.0", "1.0.0.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+build", "1.0.0-a..b", "1.0.0 "} {
		bad := draft
		bad.Version = v
		_, err := p.dev.reg.CreateRelease(ctx, bad)
		wantKind(t, "version "+v, err, registry.InvalidArgument)
	}
	for _, c := range []string{">=1.0", "^^1.0.0", "1.0.0 ||", "|| 1.0.0", ">= 1.0.0", "~", "=>1.0.0", "1.0.0 - 2.0.0", "x"} {
		bad := draft
		bad.Version = "9.9.9"
		bad.UpgradeFrom = c
		_, err := p.dev.reg.CreateRelease(ctx, bad)
		wantKind(t, "constraint "+c, err, registry.InvalidArgument)
	}
}
