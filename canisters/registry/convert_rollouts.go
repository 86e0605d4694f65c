package registry

import (
	"fmt"

	"github.com/aviate-labs/agent-go/candid/idl"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

func upgradePolicyToCandid(p UpgradePolicy) (c.UpgradePolicy, error) {
	null := &idl.Null{}
	switch p.Kind {
	case Manual:
		return c.UpgradePolicy{Manual: null}, nil
	case Patch:
		return c.UpgradePolicy{Patch: null}, nil
	case Minor:
		return c.UpgradePolicy{Minor: null}, nil
	case Channel:
		if err := ValidChannel(p.Channel); err != nil {
			return c.UpgradePolicy{}, err
		}
		name := p.Channel
		return c.UpgradePolicy{Channel: &name}, nil
	}
	return c.UpgradePolicy{}, &Error{Kind: InvalidArgument, Message: fmt.Sprintf("unknown policy %q (manual, patch, minor, channel)", p.Kind)}
}

func upgradePolicyFromCandid(p c.UpgradePolicy) UpgradePolicy {
	switch {
	case p.Patch != nil:
		return UpgradePolicy{Kind: Patch}
	case p.Minor != nil:
		return UpgradePolicy{Kind: Minor}
	case p.Channel != nil:
		return UpgradePolicy{Kind: Channel, Channel: *p.Channel}
	}
	return UpgradePolicy{Kind: Manual}
}

func limitToCandid(l FailureLimit) c.FailureLimit {
	n := nat(l.N)
	if l.Percent {
		return c.FailureLimit{Percent: &n}
	}
	return c.FailureLimit{Count: &n}
}

func limitFromCandid(l c.FailureLimit) FailureLimit {
	if l.Percent != nil {
		return FailureLimit{N: natU64(*l.Percent), Percent: true}
	}
	if l.Count != nil {
		return FailureLimit{N: natU64(*l.Count)}
	}
	return FailureLimit{}
}

func newRolloutToCandid(n NewRollout) c.NewRollout {
	return c.NewRollout{App: n.App, Version: n.Version, CanaryPercent: nat(n.CanaryPercent),
		BatchSize: nat(n.BatchSize), MaxFailures: limitToCandid(n.MaxFailures)}
}

func rolloutStateFromCandid(s c.RolloutState) RolloutState {
	switch {
	case s.Canary != nil:
		return RolloutCanary
	case s.Running != nil:
		return RolloutRunning
	case s.Paused != nil:
		return RolloutPaused
	case s.Halted != nil:
		return RolloutHalted
	case s.Aborted != nil:
		return RolloutAborted
	}
	return RolloutDone
}

func rolloutFromCandid(r c.RolloutInfo) Rollout {
	out := Rollout{ID: natU64(r.Id), App: r.App, Version: r.Version, CanaryPercent: natU64(r.CanaryPercent),
		BatchSize: natU64(r.BatchSize), MaxFailures: limitFromCandid(r.MaxFailures),
		State: rolloutStateFromCandid(r.State), StartedBy: r.StartedBy, StartedAt: nanos(r.StartedAt),
		UpdatedAt: nanos(r.UpdatedAt), Total: natU64(r.Total), Pending: natU64(r.Pending),
		InProgress: natU64(r.InProgress), Done: natU64(r.Done), RolledBack: natU64(r.RolledBack),
		Failed: natU64(r.Failed), Skipped: natU64(r.Skipped), Manual: natU64(r.Manual), Batches: natU64(r.Batches)}
	if r.Reason != nil {
		out.Reason = *r.Reason
	}
	if r.FinishedAt != nil {
		at := nanos(*r.FinishedAt)
		out.FinishedAt = &at
	}
	for _, f := range r.Failures {
		out.Failures = append(out.Failures, RolloutFailure{CanisterID: f.CanisterId, State: upgradeStateFromCandid(f.State), Reason: f.Reason})
	}
	return out
}
