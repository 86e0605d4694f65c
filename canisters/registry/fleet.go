package registry

import (
	"context"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// FleetStats is what fleet_stats answers: counts only, no principals and
// no canister ids. Anyone may read it.
type FleetStats struct {
	Canisters []FleetCount // by (app, version, state), in that order
	Upgrades  UpgradeCounts
	// Releases counts releases by state; every state is present.
	Releases   map[ReleaseState]uint64
	Apps       uint64
	Operators  uint64
	Developers uint64
	Auditors   uint64
	// LowCycles counts canisters under their app's cycles threshold or
	// whose owner is out of credit.
	LowCycles uint64
}

// FleetCount is how many canisters share one app, version and state.
type FleetCount struct {
	App     string
	Version string // "" for uninstalled canisters
	State   CanisterState
	Count   uint64
}

// UpgradeCounts are upgrades by outcome; InProgress ones have none yet.
type UpgradeCounts struct {
	Done, RolledBack, Failed, InProgress uint64
}

// FleetStats reads the fleet's counts (a query).
func (cl *Client) FleetStats(ctx context.Context) (FleetStats, error) {
	var out c.FleetStats
	if err := cl.query(ctx, "fleet_stats", &out); err != nil {
		return FleetStats{}, err
	}
	return fleetFromCandid(out), nil
}

func fleetFromCandid(f c.FleetStats) FleetStats {
	out := FleetStats{
		Upgrades: UpgradeCounts{Done: natU64(f.Upgrades.Done), RolledBack: natU64(f.Upgrades.RolledBack),
			Failed: natU64(f.Upgrades.Failed), InProgress: natU64(f.Upgrades.InProgress)},
		Releases: map[ReleaseState]uint64{
			Draft: natU64(f.Releases.Draft), Submitted: natU64(f.Releases.Submitted),
			Approved: natU64(f.Releases.Approved), Rejected: natU64(f.Releases.Rejected),
			Released: natU64(f.Releases.Released), Deprecated: natU64(f.Releases.Deprecated),
			Revoked: natU64(f.Releases.Revoked)},
		Apps: natU64(f.Apps), Operators: natU64(f.Operators),
		Developers: natU64(f.Developers), Auditors: natU64(f.Auditors), LowCycles: natU64(f.LowCycles),
	}
	for _, g := range f.Canisters {
		out.Canisters = append(out.Canisters, FleetCount{App: g.App, Version: g.Version,
			State: canisterStateFromCandid(g.State), Count: natU64(g.Count)})
	}
	return out
}
