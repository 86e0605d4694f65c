package state

import "github.com/canistry/canistry/replica/cycles"

// Status is a canister's run status (ic0.canister_status numbering).
type Status uint8

// The canister statuses.
const (
	Running  Status = 1
	Stopping Status = 2
	Stopped  Status = 3
)

func (s Status) String() string {
	switch s {
	case Running:
		return "running"
	case Stopping:
		return "stopping"
	case Stopped:
		return "stopped"
	}
	return "unknown"
}

// Settings are a canister's definite settings.
type Settings struct {
	ComputeAllocation    uint64        `cbor:"1,keyasint"`
	MemoryAllocation     uint64        `cbor:"2,keyasint"`
	FreezingThreshold    uint64        `cbor:"3,keyasint"`
	ReservedCyclesLimit  cycles.Amount `cbor:"4,keyasint"`
	WasmMemoryLimit      uint64        `cbor:"5,keyasint"`
	WasmMemoryThreshold  uint64        `cbor:"6,keyasint"`
	LogVisibility        string        `cbor:"7,keyasint"` // "controllers" or "public"
	LogViewers           [][]byte      `cbor:"8,keyasint,omitempty"`
	EnvironmentVariables []EnvVar      `cbor:"9,keyasint,omitempty"`
}

// EnvVar is one canister environment variable.
type EnvVar struct {
	Name  string `cbor:"1,keyasint"`
	Value string `cbor:"2,keyasint"`
}

// Global is the saved value of one exported mutable wasm global.
type Global struct {
	Type uint8  `cbor:"1,keyasint"`
	Bits uint64 `cbor:"2,keyasint"`
}

// Change is one entry of a canister's history (canister_info).
type Change struct {
	TimestampNanos  uint64   `cbor:"1,keyasint"`
	CanisterVersion uint64   `cbor:"2,keyasint"`
	OriginUser      []byte   `cbor:"3,keyasint,omitempty"` // from_user
	OriginCanister  []byte   `cbor:"4,keyasint,omitempty"` // from_canister
	Kind            string   `cbor:"5,keyasint"`           // creation, code_uninstall, code_deployment, controllers_change, load_snapshot
	Mode            string   `cbor:"6,keyasint,omitempty"` // install, reinstall, upgrade
	ModuleHash      []byte   `cbor:"7,keyasint,omitempty"`
	Controllers     [][]byte `cbor:"8,keyasint,omitempty"`
	// The details of a load_snapshot change: which snapshot, and the
	// canister version and time at which it was taken.
	SnapshotID      []byte `cbor:"9,keyasint,omitempty"`
	SnapshotVersion uint64 `cbor:"10,keyasint,omitempty"`
	SnapshotTakenAt uint64 `cbor:"11,keyasint,omitempty"`
}

// Canister is everything about one canister except its module bytes and
// memories, which live in their own buckets.
type Canister struct {
	ID            []byte        `cbor:"1,keyasint"`
	Controllers   [][]byte      `cbor:"2,keyasint"`
	Status        Status        `cbor:"3,keyasint"`
	Cycles        cycles.Amount `cbor:"4,keyasint"`
	Settings      Settings      `cbor:"5,keyasint"`
	ModuleHash    []byte        `cbor:"6,keyasint,omitempty"` // nil: empty canister
	Version       uint64        `cbor:"7,keyasint"`
	CertifiedData []byte        `cbor:"8,keyasint,omitempty"`
	GlobalTimer   uint64        `cbor:"9,keyasint"`
	HeapSize      uint64        `cbor:"10,keyasint"`
	StableSize    uint64        `cbor:"11,keyasint"`
	Globals       []Global      `cbor:"12,keyasint,omitempty"`
	History       []Change      `cbor:"13,keyasint,omitempty"`
	TotalChanges  uint64        `cbor:"14,keyasint"`
	CreatedAt     uint64        `cbor:"15,keyasint"`
	// Metadata are the module's icp:public and icp:private custom sections,
	// kept here so the state tree can be rebuilt without compiling modules.
	Metadata []Metadata `cbor:"16,keyasint,omitempty"`

	CallContexts    []CallContext `cbor:"17,keyasint,omitempty"`
	Callbacks       []Callback    `cbor:"18,keyasint,omitempty"`
	NextCallContext uint64        `cbor:"19,keyasint,omitempty"`
	NextCallback    uint64        `cbor:"20,keyasint,omitempty"`
	// StopWaiters are the stop_canister calls answered once the canister
	// has no open call contexts left.
	StopWaiters []Origin `cbor:"21,keyasint,omitempty"`
	// ChargedUntil is when storage was last charged (ns).
	ChargedUntil uint64 `cbor:"22,keyasint,omitempty"`
	// NextSnapshot is the local id of the canister's next snapshot: ids
	// are never reused, so a stale id cannot name a newer snapshot.
	NextSnapshot uint64 `cbor:"23,keyasint,omitempty"`
	// Logs are the canister's log (fetch_canister_logs): the newest records
	// within the IC's 4 KiB, oldest first.
	Logs []LogRecord `cbor:"24,keyasint,omitempty"`
	// NextLogIndex is the index of the next log record: indices never
	// repeat, not even after the log is purged.
	NextLogIndex uint64 `cbor:"25,keyasint,omitempty"`
	// ChunkHashes lists the chunk store's chunks (their bytes live in their
	// own bucket), in upload order: the store is charged 1 MiB per chunk.
	ChunkHashes [][]byte `cbor:"26,keyasint,omitempty"`
	// Heartbeat says the module exports canister_heartbeat, so that the
	// scheduler knows without compiling modules at start.
	Heartbeat bool `cbor:"27,keyasint,omitempty"`
}

// LogRecord is one line of a canister's log: a debug_print or a trap.
type LogRecord struct {
	Index          uint64 `cbor:"1,keyasint"`
	TimestampNanos uint64 `cbor:"2,keyasint"`
	Content        []byte `cbor:"3,keyasint"`
}

// Metadata is one custom section of a canister's module.
type Metadata struct {
	Name    string `cbor:"1,keyasint"`
	Public  bool   `cbor:"2,keyasint"`
	Content []byte `cbor:"3,keyasint"`
}

// Ingress is the remembered outcome of an ingress update call: kept until
// its expiry so that a replayed request is answered, not executed again.
type Ingress struct {
	ID            []byte `cbor:"1,keyasint"`
	Sender        []byte `cbor:"2,keyasint"`
	Effective     []byte `cbor:"3,keyasint"`
	Expiry        uint64 `cbor:"4,keyasint"`
	Status        string `cbor:"5,keyasint"` // replied, rejected
	Reply         []byte `cbor:"6,keyasint,omitempty"`
	RejectCode    uint8  `cbor:"7,keyasint,omitempty"`
	RejectMessage string `cbor:"8,keyasint,omitempty"`
	ErrorCode     string `cbor:"9,keyasint,omitempty"`
}
