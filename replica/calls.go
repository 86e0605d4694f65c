package replica

import (
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// Call contexts and callbacks, as the interface spec models inter-canister
// calls: every message that runs a canister method opens a call context; a
// call the method makes registers a callback in that context; the context
// is answered exactly once (reply, reject, or the system's "did not reply")
// and closes when it is answered and has no callbacks left.

const (
	originIngress  = "ingress"
	originCanister = "canister"
	originSystem   = "system" // timers: nobody waits for an answer
)

// maxCallTimeoutSeconds caps best-effort call timeouts (MAX_CALL_TIMEOUT).
const maxCallTimeoutSeconds = 300

// maxInterCanisterBytes is the IC's limit on an inter-canister request.
const maxInterCanisterBytes = 2 << 20

// openContext opens a call context on c. Callers hold c.mu.
func openContext(c *canister, o state.Origin, caller []byte, available cycles.Amount) uint64 {
	c.rec.NextCallContext++
	id := c.rec.NextCallContext
	c.rec.CallContexts = append(c.rec.CallContexts, state.CallContext{ID: id, Origin: o, Caller: caller, Available: available})
	return id
}

// callContext finds an open call context; nil when it is gone (the canister was
// uninstalled since). The pointer is valid until contexts are added or removed.
func callContext(c *canister, id uint64) *state.CallContext {
	for i := range c.rec.CallContexts {
		if c.rec.CallContexts[i].ID == id {
			return &c.rec.CallContexts[i]
		}
	}
	return nil
}

func closeContext(c *canister, id uint64) {
	ccs := c.rec.CallContexts
	for i := range ccs {
		if ccs[i].ID == id {
			c.rec.CallContexts = append(ccs[:i:i], ccs[i+1:]...)
			return
		}
	}
}

// takeCallback removes and returns the callback a response is for.
func takeCallback(c *canister, id uint64) *state.Callback {
	cbs := c.rec.Callbacks
	for i := range cbs {
		if cbs[i].ID == id {
			cb := cbs[i]
			c.rec.Callbacks = append(cbs[:i:i], cbs[i+1:]...)
			return &cb
		}
	}
	return nil
}

// respond delivers a call context's answer to whoever waits for it, with
// the cycles the callee did not accept.
func (rd *round) respond(o state.Origin, reply []byte, rej *reject.Error, refund cycles.Amount) {
	switch o.Kind {
	case originIngress:
		rd.finishIngress(o.Ingress, reply, rej)
	case originCanister:
		m := &state.Message{Kind: "response", To: o.Canister, Callback: o.Callback, Cycles: refund, Reply: reply}
		if rej != nil {
			m.Reply = nil
			m.Rejected, m.RejectCode, m.RejectMessage, m.ErrorCode = true, uint8(rej.Code), rej.Message, uint16(rej.ErrorCode)
		}
		rd.enqueue(m)
	}
}

// send queues the calls an execution made and registers their callbacks.
func (rd *round) send(c *canister, ctxID uint64, calls []exec.Call) {
	for _, call := range calls {
		c.rec.NextCallback++
		cb := state.Callback{
			ID: c.rec.NextCallback, Context: ctxID, Callee: call.Callee, Sent: call.Cycles,
			Reply: state.WasmFn(call.Reply), Reject: state.WasmFn(call.Reject),
		}
		if call.Cleanup != nil {
			fn := state.WasmFn(*call.Cleanup)
			cb.Cleanup = &fn
		}
		c.rec.Callbacks = append(c.rec.Callbacks, cb)
		callContext(c, ctxID).Outstanding++
		charge(c, cycles.Of(feeXnetCall+feeXnetByte*uint64(len(call.Arg)+len(call.Method))))
		m := &state.Message{Kind: "request", From: c.rec.ID, To: call.Callee, Method: call.Method,
			Arg: call.Arg, Cycles: cb.Sent, Callback: cb.ID}
		if call.Timeout != nil {
			m.Deadline = rd.time + uint64(min(*call.Timeout, maxCallTimeoutSeconds))*1e9
			c.rec.Callbacks[len(c.rec.Callbacks)-1].Deadline = m.Deadline
			rd.r.bounded[string(c.rec.ID)] = c
		}
		if len(call.Arg) > maxInterCanisterBytes {
			// Too large to send: the caller hears back at once, with its cycles.
			rd.respond(state.Origin{Kind: originCanister, Canister: c.rec.ID, Callback: cb.ID}, nil,
				reject.New(reject.CanisterRejectedMessage, "Request to %s is %d bytes, more than the %d bytes allowed for inter-canister requests",
					principal.Principal{Raw: call.Callee}, len(call.Arg), maxInterCanisterBytes), cb.Sent)
			continue
		}
		rd.enqueue(m)
	}
}

// settle answers a context that can no longer answer itself and closes
// contexts that are done. trap is the error of a trapped execution, used as
// the answer when nothing else will come.
func (rd *round) settle(c *canister, ctxID uint64, trap *reject.Error) {
	cc := callContext(c, ctxID)
	if cc == nil {
		return
	}
	if !cc.Responded && cc.Outstanding == 0 {
		rej := trap
		if rej == nil {
			rej = reject.FromCanister(c.id().String(), reject.CanisterDidNotReply, "Canister did not reply to the call")
		}
		rd.respond(cc.Origin, nil, rej, cc.Available)
		cc.Responded, cc.Available = true, cycles.Amount{}
	}
	if cc.Responded && cc.Outstanding == 0 {
		closeContext(c, ctxID)
		rd.stoppedIfIdle(c)
	}
}

// rejectOpenContexts answers every open call context with rej and forgets
// all callbacks: what uninstall_code does. Responses still in flight to the
// forgotten callbacks are dropped when they arrive; their cycles are kept.
func (rd *round) rejectOpenContexts(c *canister, rej *reject.Error) {
	for _, cc := range c.rec.CallContexts {
		if !cc.Responded {
			rd.respond(cc.Origin, nil, rej, cc.Available)
		}
	}
	c.rec.CallContexts, c.rec.Callbacks = nil, nil
	rd.stoppedIfIdle(c)
}

// deadlineExpired is the reject of a bounded-wait call whose deadline passed.
func deadlineExpired() *reject.Error {
	return reject.New(reject.DeadlineExpired, "Request timed out.")
}

// expireDeadlines answers every bounded-wait call whose deadline has passed
// with SYS_UNKNOWN; the callee's late answer then finds no callback and is
// dropped, as the IC drops best-effort responses.
func (rd *round) expireDeadlines() {
	for key, c := range rd.r.bounded {
		c.mu.Lock()
		waiting := false
		for _, cb := range c.rec.Callbacks {
			switch {
			case cb.Deadline == 0:
			case cb.Deadline <= rd.time:
				rd.respond(state.Origin{Kind: originCanister, Canister: c.rec.ID, Callback: cb.ID}, nil, deadlineExpired(), cycles.Amount{})
				rd.touch(c)
			default:
				waiting = true
			}
		}
		c.mu.Unlock()
		if !waiting {
			delete(rd.r.bounded, key)
		}
	}
}
