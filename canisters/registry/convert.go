package registry

import (
	"math/big"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// Conversions between the generated Candid types and the Go-native ones.

func nanos(i idl.Int) time.Time { return time.Unix(0, i.BigInt().Int64()) }

func natU64(n idl.Nat) uint64 { return n.BigInt().Uint64() }

func natInt(n idl.Nat) int { return int(n.BigInt().Int64()) }

func nat(v uint64) idl.Nat { return idl.NewBigNat(new(big.Int).SetUint64(v)) }

func roleToCandid(r Role) c.Role {
	null := &idl.Null{}
	switch r {
	case Operator:
		return c.Role{Operator: null}
	case Developer:
		return c.Role{Developer: null}
	case Auditor:
		return c.Role{Auditor: null}
	}
	// An unknown role encodes as no arm at all, which fails to marshal:
	// validRole catches it before.
	return c.Role{}
}

func roleFromCandid(r c.Role) Role {
	switch {
	case r.Operator != nil:
		return Operator
	case r.Developer != nil:
		return Developer
	}
	return Auditor
}

func appFromCandid(a c.AppInfo) App {
	return App{ID: a.Id, Name: a.Name, Description: a.Description, Developers: a.Developers,
		CreatedBy: a.CreatedBy, CreatedAt: nanos(a.CreatedAt)}
}

func releaseStateFromCandid(s c.ReleaseState) ReleaseState {
	switch {
	case s.Draft != nil:
		return Draft
	case s.Submitted != nil:
		return Submitted
	case s.Approved != nil:
		return Approved
	case s.Rejected != nil:
		return Rejected
	case s.Released != nil:
		return Released
	case s.Deprecated != nil:
		return Deprecated
	}
	return Revoked
}

func newReleaseToCandid(r NewRelease) c.NewRelease {
	var health *string
	if r.HealthMethod != "" {
		health = &r.HealthMethod
	}
	hashes := r.ChunkHashes
	if hashes == nil {
		hashes = [][]byte{}
	}
	sum := r.SHA256
	if sum == nil {
		sum = []byte{}
	}
	return c.NewRelease{App: r.App, Version: r.Version, Protocol: r.Protocol, Notes: r.Notes,
		UpgradeFrom: r.UpgradeFrom, HealthMethod: health, EnhancedPersistence: r.EnhancedPersistence,
		Sha256: sum, Size: nat(r.Size), ChunkHashes: hashes}
}

func releaseFromCandid(r c.ReleaseInfo) Release {
	out := Release{App: r.App, Version: r.Version, Protocol: r.Protocol, Notes: r.Notes,
		UpgradeFrom: r.UpgradeFrom, HealthMethod: r.HealthMethod, EnhancedPersistence: r.EnhancedPersistence,
		SHA256: r.Sha256, Size: natU64(r.Size), ChunkCount: natInt(r.ChunkCount),
		ChunksReceived: natInt(r.ChunksReceived), State: releaseStateFromCandid(r.State), Channels: r.Channels,
		Uploader: r.Uploader, Reviewer: r.Reviewer, CreatedAt: nanos(r.CreatedAt), UpdatedAt: nanos(r.UpdatedAt)}
	if r.Reason != nil {
		out.Reason = *r.Reason
	}
	return out
}

func canisterStateFromCandid(s c.CanisterState) CanisterState {
	switch {
	case s.Installed != nil:
		return Installed
	case s.Upgrading != nil:
		return Upgrading
	}
	return Uninstalled
}

func canisterFromCandid(ci c.CanisterInfo) Canister {
	out := Canister{ID: ci.CanisterId, App: ci.App, Version: ci.Version, Owner: ci.Owner,
		State: canisterStateFromCandid(ci.State), Controlled: ci.Controlled, Policy: upgradePolicyFromCandid(ci.Policy),
		CreatedAt: nanos(ci.CreatedAt), UpdatedAt: nanos(ci.UpdatedAt)}
	if ci.LastUpgrade != nil {
		id := natU64(*ci.LastUpgrade)
		out.LastUpgrade = &id
	}
	return out
}

func upgradeStateFromCandid(s c.UpgradeState) UpgradeState {
	switch {
	case s.Queued != nil:
		return Queued
	case s.Stopping != nil:
		return Stopping
	case s.Snapshotting != nil:
		return Snapshotting
	case s.Installing != nil:
		return Installing
	case s.Starting != nil:
		return Starting
	case s.Checking != nil:
		return Checking
	case s.Done != nil:
		return Done
	case s.RolledBack != nil:
		return RolledBack
	}
	return Failed
}

func upgradeFromCandid(u c.UpgradeInfo) Upgrade {
	out := Upgrade{ID: natU64(u.Id), CanisterID: u.CanisterId, Owner: u.Owner, FromVersion: u.FromVersion,
		ToVersion: u.ToVersion, State: upgradeStateFromCandid(u.State), StartedAt: nanos(u.StartedAt)}
	if u.Reason != nil {
		out.Reason = *u.Reason
	}
	for _, s := range u.Steps {
		out.Steps = append(out.Steps, UpgradeStep{At: nanos(s.At), State: upgradeStateFromCandid(s.State), Message: s.Message})
	}
	if u.FinishedAt != nil {
		at := nanos(*u.FinishedAt)
		out.FinishedAt = &at
	}
	return out
}

func eventFromCandid(e c.Event) Event {
	return Event{Seq: natU64(e.Seq), At: nanos(e.At), Caller: e.Caller, Subject: e.Subject, Action: e.Action, Detail: e.Detail}
}

func quotasFromCandid(q c.Quotas) Quotas {
	return Quotas{CanistersPerUser: natU64(q.CanistersPerUser), CreationsPerUserDay: natU64(q.CreationsPerUserDay),
		CreationsPerHour: natU64(q.CreationsPerHour), CyclesPerCanister: natU64(q.CyclesPerCanister)}
}

func quotasToCandid(q Quotas) c.Quotas {
	return c.Quotas{CanistersPerUser: nat(q.CanistersPerUser), CreationsPerUserDay: nat(q.CreationsPerUserDay),
		CreationsPerHour: nat(q.CreationsPerHour), CyclesPerCanister: nat(q.CyclesPerCanister)}
}
