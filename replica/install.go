package replica

import (
	"errors"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// InstallCode implements install_code. It is atomic: whatever traps, the
// canister keeps its old module and state.
func (rd *round) InstallCode(caller principal.Principal, a mgmt.InstallCodeArgs) error {
	c := rd.r.lookup(a.CanisterID)
	if c == nil {
		return canisterNotFound(a.CanisterID)
	}
	m, err := rd.r.engine.Compile(a.WasmModule)
	if err != nil {
		return invalidWasm(a.CanisterID, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if rej := rd.r.installOutOfCycles(c); rej != nil {
		return rej
	}
	// The whole installation is one message: one base fee, its steps'
	// instructions, reserved up front for the install limit.
	reserved := reserveExecution(c, rd.r.engine.Limits().Install)
	rd.installInstructions = 0
	defer func() { settleExecution(c, reserved, rd.installInstructions) }()
	firstLog := c.rec.NextLogIndex
	var inst *exec.Instance
	var mode string
	switch {
	case a.Mode.Install != nil:
		if !c.empty() {
			return reject.New(reject.CanisterNonEmpty,
				"Canister %s cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead.", a.CanisterID)
		}
		mode = "install"
		inst, err = rd.freshInstall(c, m, caller, a.Arg)
	case a.Mode.Reinstall != nil:
		mode = "reinstall"
		inst, err = rd.freshInstall(c, m, caller, a.Arg)
	case a.Mode.Upgrade != nil:
		mode = "upgrade"
		var opts mgmt.UpgradeOptions
		if *a.Mode.Upgrade != nil {
			opts = **a.Mode.Upgrade
		}
		inst, err = rd.upgrade(c, m, caller, a.Arg, opts)
	default:
		return reject.New(reject.InvalidManagementPayload, "install_code: no install mode given")
	}
	if err != nil {
		return err
	}
	rd.replaceCode(c, m, inst, mode != "upgrade")
	if mode != "upgrade" {
		// Install and reinstall purge the log; what their steps logged stays.
		// A failed install keeps the old log and its own lines, for whoever
		// looks into why it failed.
		purgeLogsBefore(c, firstLog)
	}
	rd.historyLocked(c, caller, state.Change{Kind: "code_deployment", Mode: mode, ModuleHash: m.Hash[:]})
	return nil
}

// freshInstall instantiates m from scratch and runs its start function and
// canister_init: the path of install and reinstall.
func (rd *round) freshInstall(c *canister, m *exec.Module, caller principal.Principal, arg []byte) (*exec.Instance, error) {
	inst, err := rd.r.engine.Instantiate(m, nil)
	if err != nil {
		return nil, invalidWasm(c.id(), err)
	}
	if err := rd.runInstallStep(c, inst, exec.KindStart, caller, nil); err != nil {
		inst.Close()
		return nil, err
	}
	if err := rd.runInstallStep(c, inst, exec.KindInit, caller, arg); err != nil {
		inst.Close()
		return nil, err
	}
	return inst, nil
}

// upgrade runs pre_upgrade on the old instance, then builds the new one per
// the IC's memory-handling rules for enhanced orthogonal persistence, and
// runs its start function and post_upgrade.
func (rd *round) upgrade(c *canister, m *exec.Module, caller principal.Principal, arg []byte, opts mgmt.UpgradeOptions) (*exec.Instance, error) {
	if c.empty() {
		return nil, reject.FromCanister(c.id().String(), reject.CanisterWasmModuleNotFound,
			"Attempted to execute a message, but the canister contains no Wasm module.")
	}
	old, err := c.instance(rd.r)
	if err != nil {
		return nil, asReject(err)
	}
	keep, err := keepMainMemory(c.module, m, opts)
	if err != nil {
		return nil, err
	}
	skipPre := opts.SkipPreUpgrade != nil && *opts.SkipPreUpgrade
	var before *exec.State // the old state to return to if the upgrade fails
	if !skipPre {
		before = old.State()
		if err := rd.runInstallStep(c, old, exec.KindPreUpgrade, caller, nil); err != nil {
			return nil, err
		}
	}
	st := old.State()
	with := &exec.State{Stable: st.Stable}
	if keep {
		with.Heap = st.Heap
	}
	inst, err := rd.r.engine.Instantiate(m, with)
	if err == nil {
		err = rd.runInstallStep(c, inst, exec.KindStart, caller, nil)
	}
	if err == nil {
		err = rd.runInstallStep(c, inst, exec.KindPostUpgrade, caller, arg)
	}
	if err != nil {
		if inst != nil {
			inst.Close()
		}
		rd.restoreOld(c, before)
		return nil, asReject(invalidIfEngine(c, err))
	}
	return inst, nil
}

// restoreOld puts the old instance back as it was before pre_upgrade ran.
func (rd *round) restoreOld(c *canister, before *exec.State) {
	if before == nil {
		return // pre_upgrade did not run: the old instance is unchanged
	}
	c.close()
	inst, err := rd.r.engine.Instantiate(c.module, before)
	if err != nil {
		rd.r.log.Error("restoring a canister after a failed upgrade", "canister", c.id(), "err", err)
		return // the next message reloads it from the store
	}
	c.inst = inst
}

// invalidIfEngine words an instantiation failure as an invalid module.
func invalidIfEngine(c *canister, err error) error {
	var rej *reject.Error
	if errors.As(err, &rej) {
		return rej
	}
	return invalidWasm(c.id(), err)
}

// keepMainMemory is the IC's decision table for wasm_memory_persistence.
func keepMainMemory(old, next *exec.Module, opts mgmt.UpgradeOptions) (bool, error) {
	p := opts.WasmMemoryPersistence
	switch {
	case p == nil && old.EOP:
		return false, reject.New(reject.CanisterContractViolation,
			"Missing upgrade option: Enhanced orthogonal persistence requires the `wasm_memory_persistence` upgrade option.")
	case p != nil && p.Keep != nil && !next.EOP:
		return false, reject.New(reject.CanisterContractViolation,
			"Invalid upgrade option: The `wasm_memory_persistence: opt Keep` upgrade option requires that the new canister module supports enhanced orthogonal persistence.")
	case p != nil && p.Keep != nil:
		return true, nil
	}
	return false, nil
}

// runInstallStep runs one system method of an installation; a trap fails
// the whole installation.
func (rd *round) runInstallStep(c *canister, inst *exec.Instance, kind exec.Kind, caller principal.Principal, arg []byte) error {
	res := inst.Run(rd.invocation(c, kind, "", caller, arg))
	rd.installInstructions += res.Instructions
	rd.recordLogs(c, res.Logs)
	if res.Trap != nil {
		inst.Rollback()
		return canisterError(c, res.Trap)
	}
	inst.Commit()
	return nil
}

// replaceCode installs the new module and instance into the canister record.
func (rd *round) replaceCode(c *canister, m *exec.Module, inst *exec.Instance, fresh bool) {
	if c.inst != nil && c.inst != inst {
		c.inst.Close()
	}
	c.module, c.inst = m, inst
	c.rec.ModuleHash = append([]byte(nil), m.Hash[:]...)
	c.rec.Metadata = metadataOf(m)
	c.rec.Heartbeat = m.Has.Heartbeat
	c.rec.GlobalTimer = 0 // every code change deactivates the timer
	if fresh {
		c.rec.CertifiedData = nil
	}
	c.rec.Version++
	rd.batch.Modules[string(m.Hash[:])] = m.Wasm
	rd.writeFullState(c, inst)
	rd.touch(c)
}

func metadataOf(m *exec.Module) []state.Metadata {
	var out []state.Metadata
	for name, md := range m.Metadata {
		out = append(out, state.Metadata{Name: name, Public: md.Public, Content: md.Content})
	}
	return out
}

// UninstallCode implements uninstall_code: code and memories go, cycles,
// controllers and history stay.
func (rd *round) UninstallCode(caller principal.Principal, a mgmt.UninstallCodeArgs) error {
	return rd.withCanister(a.CanisterID, func(c *canister) error {
		rd.rejectOpenContexts(c, reject.FromCanister(c.id().String(), reject.CanisterWasmModuleNotFound, "Canister has been uninstalled."))
		c.close()
		c.module = nil
		c.rec.ModuleHash, c.rec.Metadata, c.rec.CertifiedData = nil, nil, nil
		c.rec.HeapSize, c.rec.StableSize, c.rec.Globals, c.rec.GlobalTimer = 0, 0, nil, 0
		c.rec.Heartbeat = false
		c.rec.Logs = nil // uninstall purges the log
		c.rec.Version++
		rd.batch.Memory = append(rd.batch.Memory,
			state.MemoryUpdate{Canister: c.rec.ID, Reset: true},
			state.MemoryUpdate{Canister: c.rec.ID, Stable: true, Reset: true})
		rd.historyLocked(c, caller, state.Change{Kind: "code_uninstall"})
		return nil
	})
}

func invalidWasm(id principal.Principal, err error) error {
	var rej *reject.Error
	if errors.As(err, &rej) {
		return &reject.Error{Code: rej.Code, ErrorCode: rej.ErrorCode, Message: "Error from Canister " + id.String() + ": " + rej.Message}
	}
	return reject.FromCanister(id.String(), reject.CanisterInvalidWasm, "Canister's Wasm module is not valid: %v", err)
}

// statusOf builds canister_status' answer; CanisterStatus adds what needs
// the replica (snapshots, idle burn). Callers hold c.mu.
func statusOf(c *canister) *mgmt.CanisterStatusResult {
	rec := c.rec
	st := &mgmt.CanisterStatusResult{
		Version: rec.Version,
		Settings: mgmt.DefiniteCanisterSettings{
			Controllers:          principals(rec.Controllers),
			ComputeAllocation:    idl.NewNat(rec.Settings.ComputeAllocation),
			MemoryAllocation:     idl.NewNat(rec.Settings.MemoryAllocation),
			FreezingThreshold:    idl.NewNat(rec.Settings.FreezingThreshold),
			ReservedCyclesLimit:  cyclesToNat(rec.Settings.ReservedCyclesLimit),
			LogVisibility:        logVisibility(rec.Settings),
			WasmMemoryLimit:      idl.NewNat(rec.Settings.WasmMemoryLimit),
			WasmMemoryThreshold:  idl.NewNat(rec.Settings.WasmMemoryThreshold),
			EnvironmentVariables: envVars(rec.Settings.EnvironmentVariables),
		},
		MemorySize: idl.NewNat(memoryBytes(c) + chunkStoreBytes(c)),
		MemoryMetrics: mgmt.MemoryMetrics{
			WasmMemorySize:      idl.NewNat(rec.HeapSize),
			StableMemorySize:    idl.NewNat(rec.StableSize),
			GlobalMemorySize:    idl.NewNat(uint64(8 * len(rec.Globals))),
			WasmBinarySize:      idl.NewNat(uint64(0)),
			CustomSectionsSize:  idl.NewNat(uint64(0)),
			CanisterHistorySize: idl.NewNat(uint64(len(rec.History))),
			WasmChunkStoreSize:  idl.NewNat(chunkStoreBytes(c)),
			SnapshotsSize:       idl.NewNat(uint64(0)),
		},
		Cycles: cyclesToNat(rec.Cycles),
		// The IC reserves cycles for storage only on subnets above 750 GiB of
		// memory; this replica's subnet never is, so nothing is reserved
		// between messages (execution reservations are settled within one).
		ReservedCycles: idl.NewNat(uint64(0)),
		QueryStats: mgmt.QueryStats{
			NumCallsTotal: idl.NewNat(uint64(0)), NumInstructionsTotal: idl.NewNat(uint64(0)),
			RequestPayloadBytesTotal: idl.NewNat(uint64(0)), ResponsePayloadBytesTotal: idl.NewNat(uint64(0)),
		},
	}
	null := idl.Null{}
	switch rec.Status {
	case state.Running:
		st.Status.Running = &null
	case state.Stopping:
		st.Status.Stopping = &null
	default:
		st.Status.Stopped = &null
	}
	if rec.ModuleHash != nil {
		h := append([]byte(nil), rec.ModuleHash...)
		st.ModuleHash = &h
	}
	if c.module != nil {
		st.MemoryMetrics.WasmBinarySize = idl.NewNat(uint64(len(c.module.Wasm)))
	}
	var custom uint64
	for _, m := range rec.Metadata {
		custom += uint64(len(m.Name) + len(m.Content))
	}
	st.MemoryMetrics.CustomSectionsSize = idl.NewNat(custom)
	return st
}

func principals(raw [][]byte) []principal.Principal {
	out := make([]principal.Principal, len(raw))
	for i, r := range raw {
		out[i] = principal.Principal{Raw: r}
	}
	return out
}

func logVisibility(s state.Settings) mgmt.LogVisibility {
	null := idl.Null{}
	switch s.LogVisibility {
	case "public":
		return mgmt.LogVisibility{Public: &null}
	case "allowed_viewers":
		viewers := principals(s.LogViewers)
		return mgmt.LogVisibility{AllowedViewers: &viewers}
	}
	return mgmt.LogVisibility{Controllers: &null}
}

func envVars(vs []state.EnvVar) []mgmt.EnvironmentVariable {
	out := make([]mgmt.EnvironmentVariable, 0, len(vs))
	for _, v := range vs {
		out = append(out, mgmt.EnvironmentVariable{Name: v.Name, Value: v.Value})
	}
	return out
}
