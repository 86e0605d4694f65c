package mgmt

import (
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// The Candid shapes of the management canister (interface spec ic.did, newest
// version). Arguments accept older shapes: missing opt fields decode as nil.

// CanisterSettings is canister_settings: every field optional.
type CanisterSettings struct {
	Controllers          *[]principal.Principal `ic:"controllers,omitempty"`
	ComputeAllocation    *idl.Nat               `ic:"compute_allocation,omitempty"`
	MemoryAllocation     *idl.Nat               `ic:"memory_allocation,omitempty"`
	FreezingThreshold    *idl.Nat               `ic:"freezing_threshold,omitempty"`
	ReservedCyclesLimit  *idl.Nat               `ic:"reserved_cycles_limit,omitempty"`
	LogVisibility        *LogVisibility         `ic:"log_visibility,omitempty"`
	WasmMemoryLimit      *idl.Nat               `ic:"wasm_memory_limit,omitempty"`
	WasmMemoryThreshold  *idl.Nat               `ic:"wasm_memory_threshold,omitempty"`
	EnvironmentVariables *[]EnvironmentVariable `ic:"environment_variables,omitempty"`
}

// LogVisibility is the log_visibility variant.
type LogVisibility struct {
	Controllers    *idl.Null              `ic:"controllers,variant"`
	Public         *idl.Null              `ic:"public,variant"`
	AllowedViewers *[]principal.Principal `ic:"allowed_viewers,variant"`
}

// EnvironmentVariable is one name=value pair.
type EnvironmentVariable struct {
	Name  string `ic:"name"`
	Value string `ic:"value"`
}

// DefiniteCanisterSettings is definite_canister_settings.
type DefiniteCanisterSettings struct {
	Controllers          []principal.Principal `ic:"controllers"`
	ComputeAllocation    idl.Nat               `ic:"compute_allocation"`
	MemoryAllocation     idl.Nat               `ic:"memory_allocation"`
	FreezingThreshold    idl.Nat               `ic:"freezing_threshold"`
	ReservedCyclesLimit  idl.Nat               `ic:"reserved_cycles_limit"`
	LogVisibility        LogVisibility         `ic:"log_visibility"`
	WasmMemoryLimit      idl.Nat               `ic:"wasm_memory_limit"`
	WasmMemoryThreshold  idl.Nat               `ic:"wasm_memory_threshold"`
	EnvironmentVariables []EnvironmentVariable `ic:"environment_variables"`
}

// CanisterIDArg is the record { canister_id } many methods take.
type CanisterIDArg struct {
	CanisterID principal.Principal `ic:"canister_id"`
}

// CanisterIDResult is the record { canister_id } create methods return.
type CanisterIDResult = CanisterIDArg

// CreateCanisterArgs is create_canister_args.
type CreateCanisterArgs struct {
	Settings              *CanisterSettings `ic:"settings,omitempty"`
	SenderCanisterVersion *uint64           `ic:"sender_canister_version,omitempty"`
}

// ProvisionalCreateArgs is provisional_create_canister_with_cycles_args.
type ProvisionalCreateArgs struct {
	Amount                *idl.Nat             `ic:"amount,omitempty"`
	Settings              *CanisterSettings    `ic:"settings,omitempty"`
	SpecifiedID           *principal.Principal `ic:"specified_id,omitempty"`
	SenderCanisterVersion *uint64              `ic:"sender_canister_version,omitempty"`
}

// ProvisionalTopUpArgs is provisional_top_up_canister_args.
type ProvisionalTopUpArgs struct {
	CanisterID principal.Principal `ic:"canister_id"`
	Amount     idl.Nat             `ic:"amount"`
}

// UpdateSettingsArgs is update_settings_args.
type UpdateSettingsArgs struct {
	CanisterID            principal.Principal `ic:"canister_id"`
	Settings              CanisterSettings    `ic:"settings"`
	SenderCanisterVersion *uint64             `ic:"sender_canister_version,omitempty"`
}

// MemoryPersistence is the wasm_memory_persistence variant.
type MemoryPersistence struct {
	Keep    *idl.Null `ic:"keep,variant"`
	Replace *idl.Null `ic:"replace,variant"`
}

// UpgradeOptions is the optional record of the upgrade mode.
type UpgradeOptions struct {
	SkipPreUpgrade        *bool              `ic:"skip_pre_upgrade,omitempty"`
	WasmMemoryPersistence *MemoryPersistence `ic:"wasm_memory_persistence,omitempty"`
}

// InstallMode is canister_install_mode.
type InstallMode struct {
	Install   *idl.Null        `ic:"install,variant"`
	Reinstall *idl.Null        `ic:"reinstall,variant"`
	Upgrade   **UpgradeOptions `ic:"upgrade,variant"`
}

// InstallCodeArgs is install_code_args.
type InstallCodeArgs struct {
	Mode                  InstallMode         `ic:"mode"`
	CanisterID            principal.Principal `ic:"canister_id"`
	WasmModule            []byte              `ic:"wasm_module"`
	Arg                   []byte              `ic:"arg"`
	SenderCanisterVersion *uint64             `ic:"sender_canister_version,omitempty"`
}

// UninstallCodeArgs is uninstall_code_args.
type UninstallCodeArgs struct {
	CanisterID            principal.Principal `ic:"canister_id"`
	SenderCanisterVersion *uint64             `ic:"sender_canister_version,omitempty"`
}

// RunStatus is the status variant of canister_status.
type RunStatus struct {
	Running  *idl.Null `ic:"running,variant"`
	Stopping *idl.Null `ic:"stopping,variant"`
	Stopped  *idl.Null `ic:"stopped,variant"`
}

// MemoryMetrics is canister_status' memory_metrics.
type MemoryMetrics struct {
	WasmMemorySize      idl.Nat `ic:"wasm_memory_size"`
	StableMemorySize    idl.Nat `ic:"stable_memory_size"`
	GlobalMemorySize    idl.Nat `ic:"global_memory_size"`
	WasmBinarySize      idl.Nat `ic:"wasm_binary_size"`
	CustomSectionsSize  idl.Nat `ic:"custom_sections_size"`
	CanisterHistorySize idl.Nat `ic:"canister_history_size"`
	WasmChunkStoreSize  idl.Nat `ic:"wasm_chunk_store_size"`
	SnapshotsSize       idl.Nat `ic:"snapshots_size"`
}

// QueryStats is canister_status' query_stats.
type QueryStats struct {
	NumCallsTotal             idl.Nat `ic:"num_calls_total"`
	NumInstructionsTotal      idl.Nat `ic:"num_instructions_total"`
	RequestPayloadBytesTotal  idl.Nat `ic:"request_payload_bytes_total"`
	ResponsePayloadBytesTotal idl.Nat `ic:"response_payload_bytes_total"`
}

// CanisterStatusResult is canister_status_result.
type CanisterStatusResult struct {
	Status                 RunStatus                `ic:"status"`
	ReadyForMigration      bool                     `ic:"ready_for_migration"`
	Version                uint64                   `ic:"version"`
	Settings               DefiniteCanisterSettings `ic:"settings"`
	ModuleHash             *[]byte                  `ic:"module_hash,omitempty"`
	MemorySize             idl.Nat                  `ic:"memory_size"`
	MemoryMetrics          MemoryMetrics            `ic:"memory_metrics"`
	Cycles                 idl.Nat                  `ic:"cycles"`
	ReservedCycles         idl.Nat                  `ic:"reserved_cycles"`
	IdleCyclesBurnedPerDay idl.Nat                  `ic:"idle_cycles_burned_per_day"`
	QueryStats             QueryStats               `ic:"query_stats"`
}

// Snapshot is the snapshot record of the snapshot methods.
type Snapshot struct {
	ID               []byte `ic:"id"`
	TakenAtTimestamp uint64 `ic:"taken_at_timestamp"`
	TotalSize        uint64 `ic:"total_size"`
}

// TakeCanisterSnapshotArgs is take_canister_snapshot_args.
type TakeCanisterSnapshotArgs struct {
	CanisterID      principal.Principal `ic:"canister_id"`
	ReplaceSnapshot *[]byte             `ic:"replace_snapshot,omitempty"`
}

// LoadCanisterSnapshotArgs is load_canister_snapshot_args.
type LoadCanisterSnapshotArgs struct {
	CanisterID            principal.Principal `ic:"canister_id"`
	SnapshotID            []byte              `ic:"snapshot_id"`
	SenderCanisterVersion *uint64             `ic:"sender_canister_version,omitempty"`
}

// DeleteCanisterSnapshotArgs is delete_canister_snapshot_args.
type DeleteCanisterSnapshotArgs struct {
	CanisterID principal.Principal `ic:"canister_id"`
	SnapshotID []byte              `ic:"snapshot_id"`
}

// DepositCyclesArgs is deposit_cycles_args (the cycles come with the call).
type DepositCyclesArgs = CanisterIDArg

// FetchCanisterLogsResult is fetch_canister_logs_result.
type FetchCanisterLogsResult struct {
	Records []CanisterLogRecord `ic:"canister_log_records"`
}

// CanisterLogRecord is canister_log_record.
type CanisterLogRecord struct {
	Idx            uint64 `ic:"idx"`
	TimestampNanos uint64 `ic:"timestamp_nanos"`
	Content        []byte `ic:"content"`
}

// ChunkHash is chunk_hash.
type ChunkHash struct {
	Hash []byte `ic:"hash"`
}

// UploadChunkArgs is upload_chunk_args.
type UploadChunkArgs struct {
	CanisterID principal.Principal `ic:"canister_id"`
	Chunk      []byte              `ic:"chunk"`
}

// InstallChunkedCodeArgs is install_chunked_code_args.
type InstallChunkedCodeArgs struct {
	Mode                  InstallMode          `ic:"mode"`
	TargetCanister        principal.Principal  `ic:"target_canister"`
	StoreCanister         *principal.Principal `ic:"store_canister,omitempty"`
	ChunkHashesList       []ChunkHash          `ic:"chunk_hashes_list"`
	WasmModuleHash        []byte               `ic:"wasm_module_hash"`
	Arg                   []byte               `ic:"arg"`
	SenderCanisterVersion *uint64              `ic:"sender_canister_version,omitempty"`
}

// CanisterInfoArgs is canister_info_args.
type CanisterInfoArgs struct {
	CanisterID          principal.Principal `ic:"canister_id"`
	NumRequestedChanges *uint64             `ic:"num_requested_changes,omitempty"`
}

// CanisterInfoResult is canister_info_result.
type CanisterInfoResult struct {
	TotalNumChanges uint64                `ic:"total_num_changes"`
	RecentChanges   []Change              `ic:"recent_changes"`
	ModuleHash      *[]byte               `ic:"module_hash,omitempty"`
	Controllers     []principal.Principal `ic:"controllers"`
}

// Change is one entry of a canister's history.
type Change struct {
	TimestampNanos  uint64        `ic:"timestamp_nanos"`
	CanisterVersion uint64        `ic:"canister_version"`
	Origin          ChangeOrigin  `ic:"origin"`
	Details         ChangeDetails `ic:"details"`
}

// ChangeOrigin is change_origin.
type ChangeOrigin struct {
	FromUser     *FromUser     `ic:"from_user,variant"`
	FromCanister *FromCanister `ic:"from_canister,variant"`
}

// FromUser is a change made by a user.
type FromUser struct {
	UserID principal.Principal `ic:"user_id"`
}

// FromCanister is a change made by a canister (at the version it named).
type FromCanister struct {
	CanisterID      principal.Principal `ic:"canister_id"`
	CanisterVersion *uint64             `ic:"canister_version,omitempty"`
}

// ChangeDetails is change_details.
type ChangeDetails struct {
	Creation          *ControllersRecord `ic:"creation,variant"`
	CodeUninstall     *idl.Null          `ic:"code_uninstall,variant"`
	CodeDeployment    *CodeDeployment    `ic:"code_deployment,variant"`
	LoadSnapshot      *LoadSnapshot      `ic:"load_snapshot,variant"`
	ControllersChange *ControllersRecord `ic:"controllers_change,variant"`
}

// ControllersRecord is the record { controllers } of creation and
// controllers_change.
type ControllersRecord struct {
	Controllers []principal.Principal `ic:"controllers"`
}

// CodeDeployment is a code_deployment change.
type CodeDeployment struct {
	Mode       DeploymentMode `ic:"mode"`
	ModuleHash []byte         `ic:"module_hash"`
}

// DeploymentMode is the mode of a code_deployment change.
type DeploymentMode struct {
	Install   *idl.Null `ic:"install,variant"`
	Reinstall *idl.Null `ic:"reinstall,variant"`
	Upgrade   *idl.Null `ic:"upgrade,variant"`
}

// LoadSnapshot is a load_snapshot change.
type LoadSnapshot struct {
	CanisterVersion  uint64 `ic:"canister_version"`
	SnapshotID       []byte `ic:"snapshot_id"`
	TakenAtTimestamp uint64 `ic:"taken_at_timestamp"`
}
