package replica

import (
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// executeIngress runs one ingress update call within a round.
func (rd *round) executeIngress(m *message) {
	req := m.req
	o := state.Origin{Kind: originIngress, Ingress: req.ID[:]}
	rd.batch.Ingress = append(rd.batch.Ingress, processingRecord(m.entry))
	if isManagement(req.CanisterID) {
		rd.executeManagement(req.Sender, req.Method, req.Arg, mgmtCall{origin: o})
		return
	}
	rd.executeCall(req.CanisterID, req.Sender, req.Method, req.Arg, o, cycles.Amount{}, uint64(len(req.Arg)))
}

// executeInternal runs one queued inter-canister message.
func (rd *round) executeInternal(m *state.Message) {
	switch m.Kind {
	case "request":
		o := state.Origin{Kind: originCanister, Canister: m.From, Callback: m.Callback, Deadline: m.Deadline}
		if m.Deadline != 0 && m.Deadline <= rd.time {
			return // the caller has had its SYS_UNKNOWN answer: nobody waits for this
		}
		if len(m.To) == 0 {
			rd.executeManagement(principal.Principal{Raw: m.From}, m.Method, m.Arg, mgmtCall{origin: o, cycles: m.Cycles})
			return
		}
		rd.executeCall(principal.Principal{Raw: m.To}, principal.Principal{Raw: m.From}, m.Method, m.Arg, o, m.Cycles, 0)
	case "response":
		rd.executeResponse(m)
	}
}

// executeCall runs a method of a canister for an ingress message or a
// request from another canister: checks, a new call context, execution.
func (rd *round) executeCall(id, caller principal.Principal, method string, arg []byte, o state.Origin, attached cycles.Amount, ingressBytes uint64) {
	c := rd.r.lookup(id)
	if c == nil {
		rd.respond(o, nil, canisterNotFound(id), attached)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rd.touch(c)
	rd.chargeStorage(c)
	if o.Kind == originIngress {
		charge(c, cycles.Of(feeIngressReception+feeIngressByte*ingressBytes))
	}
	rej := runnable(c)
	if rej == nil {
		rej = rd.r.outOfCycles(c, cycles.Amount{})
	}
	if rej == nil {
		if _, err := c.instance(rd.r); err != nil {
			rej = asReject(err)
		}
	}
	var kind exec.Kind
	if rej == nil {
		kind, rej = callKind(c, method)
	}
	if rej != nil {
		rd.respond(o, nil, rej, attached)
		return
	}
	ctx := openContext(c, o, caller.Raw, attached)
	rd.run(c, ctx, &exec.Invocation{Kind: kind, Method: method, Arg: arg, Deadline: o.Deadline}, nil)
}

// callKind tells how a method runs when called as an update: update
// methods as updates, query methods as replicated queries. The canister's
// module must be loaded.
func callKind(c *canister, method string) (exec.Kind, *reject.Error) {
	switch {
	case c.module.Updates[method]:
		return exec.KindUpdate, nil
	case c.module.Queries[method]:
		return exec.KindReplicatedQuery, nil
	}
	return 0, reject.FromCanister(c.id().String(), reject.CanisterMethodNotFound, "Canister has no update method '%s'.", method)
}

// executeResponse runs the callback of a call a canister made.
func (rd *round) executeResponse(m *state.Message) {
	c := rd.r.lookup(principal.Principal{Raw: m.To})
	if c == nil {
		return // the caller was deleted: the response and its cycles are gone
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rd.touch(c)
	c.rec.Cycles = c.rec.Cycles.Add(m.Cycles)
	cb := takeCallback(c, m.Callback)
	if cb == nil {
		return // the context was dropped by uninstall_code: nothing runs
	}
	ctx := callContext(c, cb.Context)
	if ctx == nil || c.empty() {
		return
	}
	ctx.Outstanding--
	inv := &exec.Invocation{Kind: exec.KindReplyCallback, Callback: exec.Callback(cb.Reply), Arg: m.Reply, CyclesRefunded: m.Cycles}
	if m.Rejected {
		inv.Kind, inv.Callback, inv.Arg = exec.KindRejectCallback, exec.Callback(cb.Reject), nil
		inv.RejectCode, inv.RejectMessage = reject.Code(m.RejectCode), m.RejectMessage
	}
	rd.run(c, cb.Context, inv, cb)
}

// run executes inv in call context ctxID of c, keeps or discards its
// effects, sends its calls, delivers its answer and settles the context.
// Callers hold c.mu.
func (rd *round) run(c *canister, ctxID uint64, inv *exec.Invocation, cb *state.Callback) {
	inst, err := c.instance(rd.r)
	if err != nil {
		rd.settle(c, ctxID, asReject(err))
		return
	}
	reserved := reserveExecution(c, rd.r.engine.LimitFor(inv.Kind))
	cc := callContext(c, ctxID)
	rd.fill(c, inv, cc)
	res := inst.Run(inv)
	rd.r.stats.executed(runKind(inv, cc.Origin.Kind), res.Instructions)
	rd.recordLogs(c, res.Logs)
	cc = callContext(c, ctxID)
	cc.Instructions += res.Instructions
	if res.Trap != nil {
		settleExecution(c, reserved, res.Instructions)
		rd.rollback(c, inst)
		if cb != nil && cb.Cleanup != nil {
			rd.cleanup(c, inst, inv, *cb.Cleanup)
		}
		rd.settle(c, ctxID, canisterError(c, res.Trap))
		return
	}
	if inv.Kind == exec.KindReplicatedQuery {
		rd.rollback(c, inst)
	} else {
		rd.commit(c, inst, res)
	}
	c.rec.Cycles = res.Balance
	settleExecution(c, reserved, res.Instructions)
	cc = callContext(c, ctxID)
	cc.Available = cc.Available.Sub(res.CyclesAccepted)
	rd.send(c, ctxID, res.Calls)
	cc = callContext(c, ctxID)
	if res.Replied || res.Reject != nil {
		var rej *reject.Error
		if res.Reject != nil {
			rej = reject.Explicit(*res.Reject)
		}
		rd.respond(cc.Origin, res.Reply, rej, cc.Available)
		cc.Responded, cc.Available = true, cycles.Amount{}
	}
	rd.settle(c, ctxID, nil)
}

// fill completes an invocation with the canister's and the call context's side.
func (rd *round) fill(c *canister, inv *exec.Invocation, cc *state.CallContext) {
	setCanisterSide(rd.r, c, inv, rd.time)
	inv.Caller = cc.Caller
	inv.CyclesAvailable = cc.Available
	inv.Responded = cc.Responded
	inv.CallContextInstructions = cc.Instructions
}

// cleanup runs a trapped callback's cleanup function on the state from
// before the callback; its changes to memory and the timer are kept.
func (rd *round) cleanup(c *canister, inst *exec.Instance, inv *exec.Invocation, fn state.WasmFn) {
	clean := *inv
	clean.Kind, clean.Callback = exec.KindCleanup, exec.Callback(fn)
	reserved := reserveExecution(c, rd.r.engine.LimitFor(exec.KindCleanup))
	clean.Balance = c.rec.Cycles
	res := inst.Run(&clean)
	settleExecution(c, reserved, res.Instructions)
	rd.recordLogs(c, res.Logs)
	if res.Trap != nil {
		rd.rollback(c, inst)
		return
	}
	rd.commit(c, inst, res)
}

func (rd *round) rollback(c *canister, inst *exec.Instance) {
	if err := inst.Rollback(); err != nil {
		rd.r.log.Error("rolling back a canister failed; it will be reloaded", "canister", c.id(), "err", err)
		c.close()
	}
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

// invocation describes a system method's execution (install steps) to the engine.
func (rd *round) invocation(c *canister, kind exec.Kind, method string, caller principal.Principal, arg []byte) *exec.Invocation {
	return invocationAt(rd.r, c, kind, method, caller, arg, rd.time)
}

func invocationAt(r *Replica, c *canister, kind exec.Kind, method string, caller principal.Principal, arg []byte, now uint64) *exec.Invocation {
	inv := &exec.Invocation{Kind: kind, Method: method, Arg: arg, Caller: caller.Raw}
	setCanisterSide(r, c, inv, now)
	return inv
}

// setCanisterSide fills in what the System API tells a canister about
// itself and its environment.
func setCanisterSide(r *Replica, c *canister, inv *exec.Invocation, now uint64) {
	inv.Self = c.rec.ID
	inv.Subnet = r.keys.SubnetID().Raw
	inv.Time = now
	inv.Balance = c.rec.Cycles
	inv.FreezingLimit = r.freezingLimit(c)
	inv.Status = int32(c.rec.Status)
	inv.Version = c.rec.Version
	inv.Controllers = c.rec.Controllers
	inv.Timer = c.rec.GlobalTimer
	inv.WasmMemoryLimit = c.rec.Settings.WasmMemoryLimit
	inv.EnvVars = envVarsOf(c.rec.Settings.EnvironmentVariables)
}

func envVarsOf(vs []state.EnvVar) []exec.EnvVar {
	out := make([]exec.EnvVar, len(vs))
	for i, v := range vs {
		out[i] = exec.EnvVar{Name: v.Name, Value: v.Value}
	}
	return out
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
	// Committed copies only the non-zero pages: State would copy the whole
	// heap first, megabytes of zeros for a fresh install.
	d := inst.Committed()
	c.rec.HeapSize, c.rec.StableSize = d.HeapSize, d.StableSize
	c.rec.Globals = globalsToState(d.Globals)
	rd.batch.Memory = append(rd.batch.Memory,
		state.MemoryUpdate{Canister: c.rec.ID, Reset: true, Pages: d.HeapPages},
		state.MemoryUpdate{Canister: c.rec.ID, Stable: true, Reset: true, Pages: d.StablePages})
}
