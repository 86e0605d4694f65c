package replica

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// Defaults of the interface spec for new canisters.
const (
	defaultFreezingThreshold = 2_592_000 // 30 days, in seconds
	maxControllers           = 10
)

// defaultProvisionalCycles is DEFAULT_PROVISIONAL_CYCLES_BALANCE: 100T.
var defaultProvisionalCycles = cycles.Amount{Lo: 100_000_000_000_000}

// defaultReservedCyclesLimit is the spec's default reserved_cycles_limit: 5T.
var defaultReservedCyclesLimit = cycles.Amount{Lo: 5_000_000_000_000}

// errDeferred is a management call that answers later (stop_canister of a
// canister with open call contexts).
var errDeferred = errors.New("answered later")

// executeManagement runs a call to aaaaa-aa within the round and answers
// it. The manager it hands to mgmt.Dispatch is the round itself; rd.mgmt
// tells the methods about the call's cycles and origin.
func (rd *round) executeManagement(caller principal.Principal, method string, arg []byte, call mgmtCall) {
	// Permissions are checked again at execution: controllers may have
	// changed since an ingress message was accepted.
	var err error
	if call.origin.Kind == originCanister {
		_, err = mgmt.AuthorizeCanister(method, arg, caller, rd.r.target)
	} else {
		err = mgmt.AuthorizeTarget(method, arg, caller, rd.r.target)
	}
	var reply []byte
	if err == nil {
		rd.mgmt = &call
		reply, err = mgmt.Dispatch(rd, caller, method, arg)
		rd.mgmt = nil
	}
	if errors.Is(err, errDeferred) {
		return
	}
	refund := call.cycles.Sub(call.accepted)
	rd.respond(call.origin, reply, asReject(err), refund)
}

// target finds a canister for the management canister's permission checks.
func (r *Replica) target(id principal.Principal) mgmt.Target {
	if c := r.lookup(id); c != nil {
		return c
	}
	return nil
}

// CreateCanister implements create_canister: the cycles attached to the
// call, less the creation fee, become the new canister's balance.
func (rd *round) CreateCanister(caller principal.Principal, a mgmt.CreateCanisterArgs) (principal.Principal, error) {
	attached := rd.mgmt.cycles
	if attached.Cmp(cycles.Of(feeCanisterCreation)) < 0 {
		return principal.Principal{}, reject.New(reject.InsufficientCyclesForCreateCanister,
			"Creating a canister requires a fee of %d that is deducted from the canister's initial balance but only %s cycles were received with the create_canister request.",
			uint64(feeCanisterCreation), attached)
	}
	amount := cyclesToNat(attached.Sub(cycles.Of(feeCanisterCreation)))
	id, err := rd.ProvisionalCreateCanister(caller, mgmt.ProvisionalCreateArgs{Amount: &amount, Settings: a.Settings})
	if err == nil {
		rd.mgmt.accepted = rd.mgmt.cycles
	}
	return id, err
}

// DepositCycles implements deposit_cycles: the attached cycles go to the target.
func (rd *round) DepositCycles(id principal.Principal) error {
	return rd.withCanister(id, func(c *canister) error {
		c.rec.Cycles = c.rec.Cycles.Add(rd.mgmt.cycles)
		rd.mgmt.accepted = rd.mgmt.cycles
		rd.touch(c)
		return nil
	})
}

// RawRand implements raw_rand: 32 bytes from the operating system's CSPRNG.
func (rd *round) RawRand() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}

// ProvisionalCreateCanister implements provisional_create_canister_with_cycles.
func (rd *round) ProvisionalCreateCanister(caller principal.Principal, a mgmt.ProvisionalCreateArgs) (principal.Principal, error) {
	balance := defaultProvisionalCycles
	if a.Amount != nil {
		balance = cyclesFromNat(*a.Amount)
	}
	rec := &state.Canister{
		Controllers: [][]byte{caller.Raw},
		Status:      state.Running,
		Cycles:      balance,
		Settings: state.Settings{
			FreezingThreshold:   defaultFreezingThreshold,
			ReservedCyclesLimit: defaultReservedCyclesLimit,
			LogVisibility:       "controllers",
		},
		CreatedAt: rd.time,
	}
	if a.Settings != nil {
		if err := applySettings(rec, *a.Settings); err != nil {
			return principal.Principal{}, err
		}
	}
	r := rd.r
	r.mu.Lock()
	id, err := r.allocateIDLocked(a.SpecifiedID)
	if err == nil {
		rec.ID = id.Raw
		c := &canister{rec: rec}
		r.canisters[string(id.Raw)] = c
		rd.touch(c)
	}
	r.mu.Unlock()
	if err != nil {
		return principal.Principal{}, err
	}
	rd.history(rd.touched[string(id.Raw)], caller, state.Change{Kind: "creation", Controllers: rec.Controllers})
	return id, nil
}

func (r *Replica) allocateIDLocked(specified *principal.Principal) (principal.Principal, error) {
	if specified != nil {
		if _, taken := r.canisters[string(specified.Raw)]; taken {
			return principal.Principal{}, reject.New(reject.CanisterIDAlreadyExists,
				"Unsuccessful canister creation: canister %s already exists", specified)
		}
		if idx, ok := canisterIndex(*specified); ok && idx >= r.nextIndex {
			r.nextIndex = idx + 1
		}
		return *specified, nil
	}
	for {
		id := canisterID(r.nextIndex)
		r.nextIndex++
		if _, taken := r.canisters[string(id.Raw)]; !taken {
			return id, nil
		}
	}
}

// ProvisionalTopUpCanister implements provisional_top_up_canister.
func (rd *round) ProvisionalTopUpCanister(a mgmt.ProvisionalTopUpArgs) error {
	return rd.withCanister(a.CanisterID, func(c *canister) error {
		c.rec.Cycles = c.rec.Cycles.Add(cyclesFromNat(a.Amount))
		rd.touch(c)
		return nil
	})
}

// UpdateSettings implements update_settings.
func (rd *round) UpdateSettings(caller principal.Principal, a mgmt.UpdateSettingsArgs) error {
	return rd.withCanister(a.CanisterID, func(c *canister) error {
		next := *c.rec
		if err := applySettings(&next, a.Settings); err != nil {
			return err
		}
		*c.rec = next
		c.rec.Version++
		if a.Settings.Controllers != nil {
			rd.historyLocked(c, caller, state.Change{Kind: "controllers_change", Controllers: c.rec.Controllers})
		}
		rd.touch(c)
		return nil
	})
}

// applySettings validates and applies the fields present in s.
func applySettings(rec *state.Canister, s mgmt.CanisterSettings) error {
	if s.Controllers != nil {
		if len(*s.Controllers) > maxControllers {
			return reject.New(reject.InvalidManagementPayload,
				"Invalid settings: %d controllers given, at most %d are allowed", len(*s.Controllers), maxControllers)
		}
		rec.Controllers = make([][]byte, 0, len(*s.Controllers))
		for _, p := range *s.Controllers {
			rec.Controllers = append(rec.Controllers, p.Raw)
		}
	}
	if s.ComputeAllocation != nil {
		v, err := natInRange("compute_allocation", *s.ComputeAllocation, 100)
		if err != nil {
			return err
		}
		rec.Settings.ComputeAllocation = v
	}
	if s.MemoryAllocation != nil {
		v, err := natInRange("memory_allocation", *s.MemoryAllocation, 1<<48)
		if err != nil {
			return err
		}
		rec.Settings.MemoryAllocation = v
	}
	if s.FreezingThreshold != nil {
		v, err := natInRange("freezing_threshold", *s.FreezingThreshold, 1<<64-1)
		if err != nil {
			return err
		}
		rec.Settings.FreezingThreshold = v
	}
	if s.ReservedCyclesLimit != nil {
		rec.Settings.ReservedCyclesLimit = cyclesFromNat(*s.ReservedCyclesLimit)
	}
	if s.WasmMemoryLimit != nil {
		v, err := natInRange("wasm_memory_limit", *s.WasmMemoryLimit, 1<<48)
		if err != nil {
			return err
		}
		rec.Settings.WasmMemoryLimit = v
	}
	if s.WasmMemoryThreshold != nil {
		v, err := natInRange("wasm_memory_threshold", *s.WasmMemoryThreshold, 1<<48)
		if err != nil {
			return err
		}
		rec.Settings.WasmMemoryThreshold = v
	}
	if s.LogVisibility != nil {
		applyLogVisibility(rec, *s.LogVisibility)
	}
	if s.EnvironmentVariables != nil {
		rec.Settings.EnvironmentVariables = nil
		for _, e := range *s.EnvironmentVariables {
			rec.Settings.EnvironmentVariables = append(rec.Settings.EnvironmentVariables, state.EnvVar{Name: e.Name, Value: e.Value})
		}
	}
	return nil
}

func applyLogVisibility(rec *state.Canister, v mgmt.LogVisibility) {
	rec.Settings.LogViewers = nil
	switch {
	case v.Public != nil:
		rec.Settings.LogVisibility = "public"
	case v.AllowedViewers != nil:
		rec.Settings.LogVisibility = "allowed_viewers"
		for _, p := range *v.AllowedViewers {
			rec.Settings.LogViewers = append(rec.Settings.LogViewers, p.Raw)
		}
	default:
		rec.Settings.LogVisibility = "controllers"
	}
}

func natInRange(field string, n idl.Nat, max uint64) (uint64, error) {
	b := n.BigInt()
	if !b.IsUint64() || b.Uint64() > max {
		return 0, reject.New(reject.InvalidManagementPayload, "Invalid settings: %s %s is out of range [0, %d]", field, b, max)
	}
	return b.Uint64(), nil
}

// CanisterStatus implements canister_status.
func (rd *round) CanisterStatus(id principal.Principal) (*mgmt.CanisterStatusResult, error) {
	c := rd.r.lookup(id)
	if c == nil {
		return nil, canisterNotFound(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rd.chargeStorage(c)
	rd.touch(c)
	st := withSnapshotsSize(statusOf(c), rd.r.snapshots.totalSize(c.rec.ID))
	st.IdleCyclesBurnedPerDay = cyclesToNat(rd.r.idleBurnPerDay(c))
	return st, nil
}

// StartCanister implements start_canister. Stop calls still waiting for a
// stopping canister are rejected: it was started instead.
func (rd *round) StartCanister(id principal.Principal) error {
	return rd.withCanister(id, func(c *canister) error {
		for _, w := range c.rec.StopWaiters {
			rd.respond(w, nil, reject.New(reject.CanisterStoppingCancelled, "Canister %s was started before it stopped", id), cycles.Amount{})
		}
		c.rec.StopWaiters = nil
		if c.rec.Status != state.Running {
			c.rec.Status = state.Running
			c.rec.Version++
		}
		rd.touch(c)
		return nil
	})
}

// StopCanister implements stop_canister: the canister stops taking calls at
// once and is stopped when its open call contexts are done; the call is
// answered then.
func (rd *round) StopCanister(id principal.Principal) error {
	return rd.withCanister(id, func(c *canister) error {
		rd.touch(c)
		if c.rec.Status == state.Stopped {
			return nil
		}
		if c.rec.Status == state.Running {
			c.rec.Status = state.Stopping
			c.rec.Version++
		}
		c.rec.StopWaiters = append(c.rec.StopWaiters, rd.mgmt.origin)
		rd.stoppedIfIdle(c)
		return errDeferred
	})
}

// stoppedIfIdle completes a stop once nothing is open any more. Callers
// hold c.mu.
func (rd *round) stoppedIfIdle(c *canister) {
	if c.rec.Status != state.Stopping || len(c.rec.CallContexts) > 0 {
		return
	}
	c.rec.Status = state.Stopped
	c.rec.Version++
	empty, _ := candid.Marshal([]any{})
	for _, w := range c.rec.StopWaiters {
		rd.respond(w, empty, nil, cycles.Amount{})
	}
	c.rec.StopWaiters = nil
	rd.touch(c)
}

// DeleteCanister implements delete_canister: only a stopped canister goes,
// and its id is never handed out again.
func (rd *round) DeleteCanister(id principal.Principal) error {
	return rd.withCanister(id, func(c *canister) error {
		if c.rec.Status != state.Stopped {
			return reject.New(reject.CanisterNotStopped, "Canister %s must be stopped before it is deleted.", id)
		}
		r := rd.r
		r.mu.Lock()
		delete(r.canisters, string(id.Raw))
		r.mu.Unlock()
		delete(rd.touched, string(id.Raw))
		c.close()
		rd.r.snapshots.dropCanister(c.rec.ID)
		rd.batch.DeletedCanister = append(rd.batch.DeletedCanister, c.rec.ID)
		return nil
	})
}

// history appends an entry to a canister's change history (canister_info keeps 20).
func (rd *round) history(c *canister, caller principal.Principal, ch state.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rd.historyLocked(c, caller, ch)
}

func (rd *round) historyLocked(c *canister, caller principal.Principal, ch state.Change) {
	ch.TimestampNanos = rd.time
	ch.CanisterVersion = c.rec.Version
	if _, isCanister := canisterIndex(caller); isCanister {
		ch.OriginCanister = caller.Raw
	} else {
		ch.OriginUser = caller.Raw
	}
	c.rec.History = append(c.rec.History, ch)
	if len(c.rec.History) > 20 {
		c.rec.History = c.rec.History[len(c.rec.History)-20:]
	}
	c.rec.TotalChanges++
	rd.touch(c)
}

// cyclesFromNat saturates at 2^128-1, as the IC does.
func cyclesFromNat(n idl.Nat) cycles.Amount { return cycles.FromBig(n.BigInt()) }

func cyclesToNat(c cycles.Amount) idl.Nat { return idl.NewBigNat(c.Big()) }

func moduleHash(wasm []byte) []byte {
	h := sha256.Sum256(wasm)
	return h[:]
}

// withCanister runs f with the canister's lock held; a canister that does
// not exist is the IC's IC0301.
func (rd *round) withCanister(id principal.Principal, f func(c *canister) error) error {
	c := rd.r.lookup(id)
	if c == nil {
		return canisterNotFound(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return f(c)
}
