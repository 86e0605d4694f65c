package registry

import (
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

// Role is what a principal may do in the registry.
type Role string

// The roles: operators run the registry (grant roles, set quotas),
// developers publish their apps' releases, auditors approve or reject them.
const (
	Operator  Role = "operator"
	Developer Role = "developer"
	Auditor   Role = "auditor"
)

// NewApp is what create_app takes.
type NewApp struct {
	ID          string // [a-z][a-z0-9-]{0,31}
	Name        string // 1..64 characters
	Description string // at most 1024 bytes
}

// App is one app of the store.
type App struct {
	ID          string
	Name        string
	Description string
	Developers  []principal.Principal
	CreatedBy   principal.Principal
	CreatedAt   time.Time
}

// ReleaseState is where a release is in its lifecycle:
// draft → submitted → approved | rejected; approved → released →
// deprecated → revoked (released may be revoked directly).
type ReleaseState string

// The release states.
const (
	Draft      ReleaseState = "draft"
	Submitted  ReleaseState = "submitted"
	Approved   ReleaseState = "approved"
	Rejected   ReleaseState = "rejected"
	Released   ReleaseState = "released"
	Deprecated ReleaseState = "deprecated"
	Revoked    ReleaseState = "revoked"
)

// NewRelease is what create_release takes; Chunk splits a module into it.
type NewRelease struct {
	App      string
	Version  string // semver MAJOR.MINOR.PATCH[-pre]
	Protocol string // what the health method must answer, e.g. "personal/3.0.0"
	Notes    string // at most 4096 bytes
	// UpgradeFrom is the constraint on installed versions that may upgrade
	// to this one (">=1.0.0 <3.0.0", "^2.0.0", "~1.2.0", "=1.0.0", "a || b");
	// "" admits none.
	UpgradeFrom string
	// HealthMethod is the query (no arguments) whose text reply must be
	// Protocol after an upgrade; "" is "protocol".
	HealthMethod string
	// EnhancedPersistence: upgrade with wasm_memory_persistence = keep.
	EnhancedPersistence bool
	SHA256              []byte   // of the whole module
	Size                uint64   // bytes, at most MaxModuleSize
	ChunkHashes         [][]byte // SHA-256 of each chunk, in order
}

// Release is one version of an app.
type Release struct {
	App                 string
	Version             string
	Protocol            string
	Notes               string
	UpgradeFrom         string
	HealthMethod        string
	EnhancedPersistence bool
	SHA256              []byte
	Size                uint64
	ChunkCount          int
	ChunksReceived      int
	State               ReleaseState
	Channels            []string // release channels it is in (SetReleaseChannels)
	Uploader            principal.Principal
	Reviewer            *principal.Principal
	Reason              string // why it was rejected or revoked
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// CanisterState is what a registry-made canister holds.
type CanisterState string

// The canister states.
const (
	Installed   CanisterState = "installed"
	Upgrading   CanisterState = "upgrading"
	Uninstalled CanisterState = "uninstalled"
)

// Canister is one canister the registry made for a user.
type Canister struct {
	ID      principal.Principal
	App     string
	Version string // "" when uninstalled
	Owner   principal.Principal
	State   CanisterState
	// Controlled is false after release_control: the registry is no longer
	// one of its controllers.
	Controlled bool
	// Policy is what rollouts may do with it (its owner sets it; Manual by
	// default).
	Policy      UpgradePolicy
	LastUpgrade *uint64 // id of the most recent upgrade
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// UpgradeState is where an upgrade is.
type UpgradeState string

// The upgrade states; Done, RolledBack and Failed are final.
const (
	Queued       UpgradeState = "queued"
	Stopping     UpgradeState = "stopping"
	Snapshotting UpgradeState = "snapshotting"
	Installing   UpgradeState = "installing"
	Starting     UpgradeState = "starting"
	Checking     UpgradeState = "checking"
	Done         UpgradeState = "done"
	RolledBack   UpgradeState = "rolled_back"
	Failed       UpgradeState = "failed"
)

// Final reports whether s is an outcome (nothing more happens).
func (s UpgradeState) Final() bool { return s == Done || s == RolledBack || s == Failed }

// UpgradeStep is one timestamped step of an upgrade.
type UpgradeStep struct {
	At      time.Time
	State   UpgradeState
	Message string
}

// Upgrade is one upgrade of a canister, run by the registry.
type Upgrade struct {
	ID          uint64
	CanisterID  principal.Principal
	Owner       principal.Principal
	FromVersion string
	ToVersion   string
	State       UpgradeState
	Reason      string // why it rolled back or failed
	Steps       []UpgradeStep
	StartedAt   time.Time
	FinishedAt  *time.Time
}

// Event is one entry of the append-only history.
type Event struct {
	Seq     uint64
	At      time.Time
	Caller  principal.Principal
	Subject string // "app:personal", "release:personal/1.0.0", "canister:<id>", "role:<principal>"
	Action  string // "created", "uploaded", "submitted", "approved", "upgrade_started", ...
	Detail  string
}

// Quotas bound what users may cost the registry.
type Quotas struct {
	CanistersPerUser    uint64 // live canisters per user
	CreationsPerUserDay uint64 // creations per user in 24 hours
	CreationsPerHour    uint64 // creations by everyone in an hour
	CyclesPerCanister   uint64 // cycles each new canister gets
}
