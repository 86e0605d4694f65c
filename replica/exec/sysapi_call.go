package exec

import "github.com/canistry/canistry/replica/cycles"

// maxCallTimeout caps best-effort call timeouts (IC MAX_CALL_TIMEOUT_SECONDS).
const maxCallTimeout = 300

// maxPrincipalLen is the longest valid principal.
const maxPrincipalLen = 29

// Callback is a function-table index and the environment value passed to it.
type Callback struct {
	Fun, Env uint64
}

// Call is an inter-canister call the canister made with call_new …
// call_perform. The scheduler delivers it if the execution is committed.
type Call struct {
	Callee  []byte
	Method  string
	Arg     []byte
	Cycles  cycles.Amount
	Reply   Callback
	Reject  Callback
	Cleanup *Callback
	Timeout *uint32 // best-effort (bounded-wait) call timeout in seconds
}

var callContexts = contexts("U CQ Ry Rt CRy CRt T")

// Inter-canister calls (spec §7.6).
var callFuncs = []hostFunc{
	{name: "call_new", params: "IIIIIIII", allowed: callContexts, fn: callNew},
	{name: "call_on_cleanup", params: "II", allowed: callContexts, fn: func(x *execution, a []uint64) (uint64, error) {
		c, err := x.pendingCall("call_on_cleanup")
		if err != nil {
			return 0, err
		}
		if c.Cleanup != nil {
			return 0, contractViolation("ic0.call_on_cleanup: called twice for the same call")
		}
		c.Cleanup = &Callback{Fun: a[0], Env: a[1]}
		return 0, nil
	}},
	{name: "call_data_append", params: "II", allowed: callContexts, fn: func(x *execution, a []uint64) (uint64, error) {
		c, err := x.pendingCall("call_data_append")
		if err != nil {
			return 0, err
		}
		if uint64(len(c.Arg))+a[1] > maxPayload {
			return 0, contractViolation("ic0.call_data_append: the call argument would exceed %d bytes", maxPayload)
		}
		data, err := x.read("call_data_append", a[0], a[1])
		if err != nil {
			return 0, err
		}
		c.Arg = append(c.Arg, data...)
		return 0, nil
	}},
	{name: "call_with_best_effort_response", params: "i", allowed: callContexts, fn: func(x *execution, a []uint64) (uint64, error) {
		c, err := x.pendingCall("call_with_best_effort_response")
		if err != nil {
			return 0, err
		}
		if c.Timeout != nil {
			return 0, contractViolation("ic0.call_with_best_effort_response: called twice for the same call")
		}
		t := min(uint32(a[0]), maxCallTimeout)
		c.Timeout = &t
		return 0, nil
	}},
	{name: "call_cycles_add128", params: "ll", allowed: contexts("U Ry Rt T"), fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.addCallCycles("call_cycles_add128", cycles.Amount{Hi: a[0], Lo: a[1]})
	}},
	{name: "call_cycles_add", params: "l", allowed: contexts("U Ry Rt T"), only32: true, fn: func(x *execution, a []uint64) (uint64, error) {
		return 0, x.addCallCycles("call_cycles_add", cycles.Of(a[0]))
	}},
	{name: "call_perform", results: "i", allowed: callContexts, fn: func(x *execution, _ []uint64) (uint64, error) {
		c, err := x.pendingCall("call_perform")
		if err != nil {
			return 0, err
		}
		x.res.Calls = append(x.res.Calls, *c)
		x.call = nil
		return 0, nil
	}},
}

func callNew(x *execution, a []uint64) (uint64, error) {
	x.discardCall()
	callee, err := x.read("call_new", a[0], a[1])
	if err != nil {
		return 0, err
	}
	if len(callee) > maxPrincipalLen {
		return 0, contractViolation("ic0.call_new: the callee (%d bytes) is not a valid principal", len(callee))
	}
	name, err := x.read("call_new", a[2], a[3])
	if err != nil {
		return 0, err
	}
	x.call = &Call{
		Callee: callee, Method: string(name), Arg: []byte{},
		Reply: Callback{Fun: a[4], Env: a[5]}, Reject: Callback{Fun: a[6], Env: a[7]},
	}
	return 0, nil
}

// discardCall drops an unfinished call, returning its cycles to the balance.
func (x *execution) discardCall() {
	if x.call != nil {
		x.balance = x.balance.Add(x.call.Cycles)
		x.call = nil
	}
}

func (x *execution) pendingCall(fn string) (*Call, error) {
	if x.call == nil {
		return nil, contractViolation("ic0.%s: no call is under construction (call ic0.call_new first)", fn)
	}
	return x.call, nil
}

func (x *execution) addCallCycles(fn string, amount cycles.Amount) error {
	c, err := x.pendingCall(fn)
	if err != nil {
		return err
	}
	if x.liquid().Cmp(amount) < 0 {
		return contractViolation("ic0.%s: cannot add %s cycles, only %s are available above the freezing threshold", fn, amount, x.liquid())
	}
	x.balance = x.balance.Sub(amount)
	c.Cycles = c.Cycles.Add(amount)
	return nil
}
