package replica

import (
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// executeUpdate runs an update (or a query called as an update) on a
// canister and commits or rolls back its state.
func (rd *round) executeUpdate(id, caller principal.Principal, method string, arg []byte) ([]byte, *reject.Error) {
	c := rd.r.lookup(id)
	if c == nil {
		return nil, canisterNotFound(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if rej := runnable(c); rej != nil {
		return nil, rej
	}
	inst, err := c.instance(rd.r)
	if err != nil {
		return nil, asReject(err)
	}
	kind := exec.KindUpdate
	switch {
	case c.module.Updates[method]:
	case c.module.Queries[method]:
		kind = exec.KindReplicatedQuery
	default:
		return nil, reject.FromCanister(id.String(), reject.CanisterMethodNotFound, "Canister has no update method '%s'.", method)
	}
	res := inst.Run(rd.invocation(c, kind, method, caller, arg))
	if res.Trap != nil || kind == exec.KindReplicatedQuery {
		inst.Rollback()
	} else {
		rd.commit(c, inst, res)
	}
	return answer(c, res)
}

// answer maps an execution result onto the reply or reject of the call.
func answer(c *canister, res *exec.Result) ([]byte, *reject.Error) {
	switch {
	case res.Trap != nil:
		return nil, canisterError(c, res.Trap)
	case res.Replied:
		return res.Reply, nil
	case res.Reject != nil:
		return nil, reject.Explicit(*res.Reject)
	case len(res.Calls) > 0:
		// Inter-canister calls are the next replica milestone; until then a
		// canister that awaits another gets a clear answer, not a hang.
		return nil, reject.FromCanister(c.id().String(), reject.CanisterDidNotReply,
			"The canister made inter-canister calls, which this replica does not deliver yet.")
	}
	return nil, reject.FromCanister(c.id().String(), reject.CanisterDidNotReply, "Canister did not reply to the call")
}

// canisterError prefixes an execution error with the canister, as the IC does.
func canisterError(c *canister, e *reject.Error) *reject.Error {
	return &reject.Error{Code: e.Code, ErrorCode: e.ErrorCode, Message: "Error from Canister " + c.id().String() + ": " + e.Message}
}

// runnable is the IC's check before a message may execute on a canister.
// Callers hold c.mu.
func runnable(c *canister) *reject.Error {
	id := c.id().String()
	switch {
	case c.empty():
		return reject.FromCanister(id, reject.CanisterWasmModuleNotFound, "Attempted to execute a message, but the canister contains no Wasm module.")
	case c.rec.Status == state.Stopped:
		return reject.New(reject.CanisterStopped, "Canister %s is stopped and therefore does not have a CallContextManager", id)
	case c.rec.Status == state.Stopping:
		return reject.New(reject.CanisterStopping, "Canister %s is stopping", id)
	}
	return nil
}

func canisterNotFound(id principal.Principal) *reject.Error {
	return reject.New(reject.CanisterNotFound, "Canister %s not found", id)
}

// invocation describes a message execution to the engine.
func (rd *round) invocation(c *canister, kind exec.Kind, method string, caller principal.Principal, arg []byte) *exec.Invocation {
	return invocationAt(rd.r, c, kind, method, caller, arg, rd.time)
}

func invocationAt(r *Replica, c *canister, kind exec.Kind, method string, caller principal.Principal, arg []byte, now uint64) *exec.Invocation {
	return &exec.Invocation{
		Kind:            kind,
		Method:          method,
		Arg:             arg,
		Caller:          caller.Raw,
		Self:            c.rec.ID,
		Subnet:          r.keys.SubnetID().Raw,
		Time:            now,
		Balance:         exec.Cycles{Hi: c.rec.Cycles.Hi, Lo: c.rec.Cycles.Lo},
		Status:          int32(c.rec.Status),
		Version:         c.rec.Version,
		Controllers:     c.rec.Controllers,
		Timer:           c.rec.GlobalTimer,
		WasmMemoryLimit: c.rec.Settings.WasmMemoryLimit,
	}
}

// commit keeps a successful execution: the instance's new state becomes
// committed, its changed pages go into the round's batch, and the record
// takes what the execution changed.
func (rd *round) commit(c *canister, inst *exec.Instance, res *exec.Result) {
	d := inst.Commit()
	rd.addDelta(c, d)
	if res.CertifiedDataSet {
		c.rec.CertifiedData = res.CertifiedData
	}
	if res.GlobalTimer != nil {
		c.rec.GlobalTimer = *res.GlobalTimer
	}
	c.rec.Version++
	rd.touch(c)
}

func (rd *round) addDelta(c *canister, d *exec.Delta) {
	c.rec.HeapSize, c.rec.StableSize = d.HeapSize, d.StableSize
	c.rec.Globals = globalsToState(d.Globals)
	if len(d.HeapPages) > 0 {
		rd.batch.Memory = append(rd.batch.Memory, state.MemoryUpdate{Canister: c.rec.ID, Pages: d.HeapPages})
	}
	if len(d.StablePages) > 0 {
		rd.batch.Memory = append(rd.batch.Memory, state.MemoryUpdate{Canister: c.rec.ID, Stable: true, Pages: d.StablePages})
	}
}

// writeFullState replaces a canister's stored memories with the instance's
// whole committed state (after install, reinstall and upgrade).
func (rd *round) writeFullState(c *canister, inst *exec.Instance) {
	st := inst.State()
	c.rec.HeapSize, c.rec.StableSize = uint64(len(st.Heap)), uint64(len(st.Stable))
	c.rec.Globals = globalsToState(st.Globals)
	rd.batch.Memory = append(rd.batch.Memory,
		state.MemoryUpdate{Canister: c.rec.ID, Reset: true, Pages: state.Pages(st.Heap)},
		state.MemoryUpdate{Canister: c.rec.ID, Stable: true, Reset: true, Pages: state.Pages(st.Stable)})
}
