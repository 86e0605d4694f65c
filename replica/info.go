package replica

import (
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/state"
)

// CanisterInfo implements canister_info: the canister's module hash and
// controllers, the total number of changes, and the newest
// num_requested_changes of the (at most 20) changes kept.
func (rd *round) CanisterInfo(a mgmt.CanisterInfoArgs) (*mgmt.CanisterInfoResult, error) {
	var out *mgmt.CanisterInfoResult
	err := rd.withCanister(a.CanisterID, func(c *canister) error {
		n := 0
		if a.NumRequestedChanges != nil {
			n = int(min(*a.NumRequestedChanges, uint64(len(c.rec.History))))
		}
		out = &mgmt.CanisterInfoResult{
			TotalNumChanges: c.rec.TotalChanges,
			RecentChanges:   make([]mgmt.Change, 0, n),
			Controllers:     principals(c.rec.Controllers),
		}
		for _, ch := range c.rec.History[len(c.rec.History)-n:] {
			out.RecentChanges = append(out.RecentChanges, changeOf(ch))
		}
		if c.rec.ModuleHash != nil {
			h := append([]byte(nil), c.rec.ModuleHash...)
			out.ModuleHash = &h
		}
		return nil
	})
	return out, err
}

// changeOf is a history entry as canister_info reports it.
func changeOf(ch state.Change) mgmt.Change {
	null := &idl.Null{}
	out := mgmt.Change{TimestampNanos: ch.TimestampNanos, CanisterVersion: ch.CanisterVersion}
	if ch.OriginCanister != nil {
		out.Origin.FromCanister = &mgmt.FromCanister{CanisterID: principal.Principal{Raw: ch.OriginCanister}}
	} else {
		out.Origin.FromUser = &mgmt.FromUser{UserID: principal.Principal{Raw: ch.OriginUser}}
	}
	switch ch.Kind {
	case "creation":
		out.Details.Creation = &mgmt.ControllersRecord{Controllers: principals(ch.Controllers)}
	case "code_uninstall":
		out.Details.CodeUninstall = null
	case "code_deployment":
		d := &mgmt.CodeDeployment{ModuleHash: append([]byte(nil), ch.ModuleHash...)}
		switch ch.Mode {
		case "install":
			d.Mode.Install = null
		case "reinstall":
			d.Mode.Reinstall = null
		default:
			d.Mode.Upgrade = null
		}
		out.Details.CodeDeployment = d
	case "load_snapshot":
		out.Details.LoadSnapshot = &mgmt.LoadSnapshot{
			CanisterVersion: ch.SnapshotVersion, SnapshotID: append([]byte(nil), ch.SnapshotID...), TakenAtTimestamp: ch.SnapshotTakenAt,
		}
	default: // controllers_change
		out.Details.ControllersChange = &mgmt.ControllersRecord{Controllers: principals(ch.Controllers)}
	}
	return out
}
