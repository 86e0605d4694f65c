package gateway

import (
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/canistry/canistry/canisters/registry"
	platformv1 "github.com/canistry/canistry/internal/gen/canistry/platform/v1"
)

// The registry's Go types as the platform API's messages.

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func texts(ps []principal.Principal) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func appMsg(a registry.App) *platformv1.App {
	return &platformv1.App{Id: a.ID, Name: a.Name, Description: a.Description, Developers: texts(a.Developers),
		CreatedBy: a.CreatedBy.String(), CreateTime: ts(a.CreatedAt)}
}

var releaseStates = map[registry.ReleaseState]platformv1.ReleaseState{
	registry.Draft:      platformv1.ReleaseState_RELEASE_STATE_DRAFT,
	registry.Submitted:  platformv1.ReleaseState_RELEASE_STATE_SUBMITTED,
	registry.Approved:   platformv1.ReleaseState_RELEASE_STATE_APPROVED,
	registry.Rejected:   platformv1.ReleaseState_RELEASE_STATE_REJECTED,
	registry.Released:   platformv1.ReleaseState_RELEASE_STATE_RELEASED,
	registry.Deprecated: platformv1.ReleaseState_RELEASE_STATE_DEPRECATED,
	registry.Revoked:    platformv1.ReleaseState_RELEASE_STATE_REVOKED,
}

func releaseMsg(r registry.Release) *platformv1.Release {
	m := &platformv1.Release{App: r.App, Version: r.Version, Protocol: r.Protocol, Notes: r.Notes,
		UpgradeFrom: r.UpgradeFrom, HealthMethod: r.HealthMethod, EnhancedPersistence: r.EnhancedPersistence,
		Sha256: r.SHA256, Size: r.Size, ChunkCount: uint32(r.ChunkCount), ChunksReceived: uint32(r.ChunksReceived),
		State: releaseStates[r.State], Uploader: r.Uploader.String(), Reason: r.Reason,
		CreateTime: ts(r.CreatedAt), UpdateTime: ts(r.UpdatedAt), Channels: r.Channels}
	if r.Reviewer != nil {
		m.Reviewer = r.Reviewer.String()
	}
	return m
}

var canisterStates = map[registry.CanisterState]platformv1.CanisterState{
	registry.Installed:   platformv1.CanisterState_CANISTER_STATE_INSTALLED,
	registry.Upgrading:   platformv1.CanisterState_CANISTER_STATE_UPGRADING,
	registry.Uninstalled: platformv1.CanisterState_CANISTER_STATE_EMPTY,
}

func canisterMsg(c registry.Canister) *platformv1.Canister {
	m := &platformv1.Canister{CanisterId: c.ID.String(), App: c.App, Version: c.Version, Owner: c.Owner.String(),
		State: canisterStates[c.State], Controlled: c.Controlled, CreateTime: ts(c.CreatedAt), UpdateTime: ts(c.UpdatedAt),
		UpgradePolicy: policyMsg(c.Policy)}
	if c.LastUpgrade != nil {
		m.LastUpgradeId = *c.LastUpgrade
	}
	return m
}

var upgradeStates = map[registry.UpgradeState]platformv1.UpgradeState{
	registry.Queued:       platformv1.UpgradeState_UPGRADE_STATE_QUEUED,
	registry.Stopping:     platformv1.UpgradeState_UPGRADE_STATE_STOPPING,
	registry.Snapshotting: platformv1.UpgradeState_UPGRADE_STATE_SNAPSHOTTING,
	registry.Installing:   platformv1.UpgradeState_UPGRADE_STATE_INSTALLING,
	registry.Starting:     platformv1.UpgradeState_UPGRADE_STATE_STARTING,
	registry.Checking:     platformv1.UpgradeState_UPGRADE_STATE_CHECKING,
	registry.Done:         platformv1.UpgradeState_UPGRADE_STATE_DONE,
	registry.RolledBack:   platformv1.UpgradeState_UPGRADE_STATE_ROLLED_BACK,
	registry.Failed:       platformv1.UpgradeState_UPGRADE_STATE_FAILED,
}

func stepMsg(s registry.UpgradeStep) *platformv1.UpgradeStep {
	return &platformv1.UpgradeStep{Time: ts(s.At), State: upgradeStates[s.State], Message: s.Message}
}

func upgradeMsg(u registry.Upgrade) *platformv1.Upgrade {
	m := &platformv1.Upgrade{Id: u.ID, CanisterId: u.CanisterID.String(), Owner: u.Owner.String(),
		FromVersion: u.FromVersion, ToVersion: u.ToVersion, State: upgradeStates[u.State], Reason: u.Reason,
		StartTime: ts(u.StartedAt)}
	for _, s := range u.Steps {
		m.Steps = append(m.Steps, stepMsg(s))
	}
	if u.FinishedAt != nil {
		m.FinishTime = ts(*u.FinishedAt)
	}
	return m
}

func eventMsg(e registry.Event) *platformv1.Event {
	return &platformv1.Event{Seq: e.Seq, Time: ts(e.At), Caller: e.Caller.String(), Subject: e.Subject,
		Action: e.Action, Detail: e.Detail}
}

func quotasMsg(q registry.Quotas) *platformv1.Quotas {
	return &platformv1.Quotas{CanistersPerUser: q.CanistersPerUser, CreationsPerUserDay: q.CreationsPerUserDay,
		CreationsPerHour: q.CreationsPerHour, CyclesPerCanister: q.CyclesPerCanister}
}

var roles = map[platformv1.Role]registry.Role{
	platformv1.Role_ROLE_OPERATOR:  registry.Operator,
	platformv1.Role_ROLE_DEVELOPER: registry.Developer,
	platformv1.Role_ROLE_AUDITOR:   registry.Auditor,
}

func roleMsg(r registry.Role) platformv1.Role {
	for m, rr := range roles {
		if rr == r {
			return m
		}
	}
	return platformv1.Role_ROLE_UNSPECIFIED
}
