package gotest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/canistry/canistry/canisters/registry"
)

// fleetStats reads fleet_stats as a, failing the test on an error.
func fleetStats(t testing.TB, a *actor) registry.FleetStats {
	t.Helper()
	s, err := a.reg.FleetStats(t.Context())
	if err != nil {
		t.Fatalf("fleet_stats: %v", err)
	}
	return s
}

func releaseCounts(draft, released uint64) map[registry.ReleaseState]uint64 {
	return map[registry.ReleaseState]uint64{registry.Draft: draft, registry.Submitted: 0, registry.Approved: 0,
		registry.Rejected: 0, registry.Released: released, registry.Deprecated: 0, registry.Revoked: 0}
}

// TestFleetStats checks fleet_stats' exact counts after installs, an
// upgrade that is done, one that is rolled back and an uninstall, read by
// a user with no role (the query is public).
func TestFleetStats(t *testing.T) {
	t.Parallel()
	w := newWorld(t, registry.Init{})
	p := w.newPublisher()
	carol := w.newActor()

	empty := registry.FleetStats{Releases: releaseCounts(0, 0), Apps: 1, Operators: 1, Developers: 1, Auditors: 1}
	if diff := cmp.Diff(empty, fleetStats(t, carol)); diff != "" {
		t.Fatalf("before any release (-want +got):\n%s", diff)
	}

	p.publish(personalRelease("1.0.0", ""), personalRelease("3.0.0", ">=1.0.0 <3.0.0"), unhealthyRelease())
	p.upload(personalRelease("2.0.0", ">=1.0.0 <2.0.0"))
	alice, bob := w.newActor(), w.newActor()
	ca := install(t, alice, "3.0.0")
	b1, b2 := install(t, bob, "1.0.0"), install(t, bob, "1.0.0")
	install(t, carol, "1.0.0")
	if u := upgrade(t, alice, ca.ID, "3.0.1"); u.State != registry.RolledBack {
		t.Fatalf("alice's upgrade ended %s (%s), want rolled_back", u.State, u.Reason)
	}
	if u := upgrade(t, bob, b1.ID, "3.0.0"); u.State != registry.Done {
		t.Fatalf("bob's upgrade ended %s (%s), want done", u.State, u.Reason)
	}
	if _, err := bob.reg.Uninstall(t.Context(), b2.ID); err != nil {
		t.Fatal(err)
	}

	want := registry.FleetStats{
		Canisters: []registry.FleetCount{
			{App: "personal", Version: "", State: registry.Uninstalled, Count: 1},
			{App: "personal", Version: "1.0.0", State: registry.Installed, Count: 1},
			{App: "personal", Version: "3.0.0", State: registry.Installed, Count: 2},
		},
		Upgrades: registry.UpgradeCounts{Done: 1, RolledBack: 1},
		Releases: releaseCounts(1, 3),
		Apps:     1, Operators: 1, Developers: 1, Auditors: 1,
	}
	if diff := cmp.Diff(want, fleetStats(t, carol)); diff != "" {
		t.Errorf("after installs, upgrades and an uninstall (-want +got):\n%s", diff)
	}
}
