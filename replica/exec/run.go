package exec

import (
	"errors"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

// Invocation is one message to execute.
type Invocation struct {
	Kind     Kind
	Method   string   // update/query/inspect: the method name
	Callback Callback // reply/reject/cleanup: table index + env
	// InCompositeQuery marks callbacks (and cleanup) of a composite query,
	// which run in the CRy/CRt/CC contexts.
	InCompositeQuery                         bool
	Arg                                      []byte // msg_arg_data (reply payload in a reply callback)
	Caller                                   []byte // principal bytes
	RejectCode                               reject.Code
	RejectMessage                            string
	Self, Subnet                             []byte
	Time                                     uint64 // ns, constant during the invocation
	Balance, CyclesAvailable, CyclesRefunded cycles.Amount
	FreezingLimit                            cycles.Amount // balance below which cycles are not liquid
	Status                                   int32         // 1 running, 2 stopping, 3 stopped
	Version                                  uint64
	Controllers                              [][]byte
	DataCertificate                          []byte   // for data_certificate_* in non-replicated queries (nil = absent)
	Deadline                                 uint64   // msg_deadline
	Timer                                    uint64   // the currently set global timer (0 = none)
	EnvVars                                  []EnvVar // canister environment variables
	// Responded says the call context was already answered (callbacks).
	Responded bool
	// CallContextInstructions are the instructions already spent in this
	// call context, for performance_counter(1).
	CallContextInstructions uint64
	Limit                   uint64 // instruction limit (0 = the Engine's default for Kind)
	WasmMemoryLimit         uint64 // bytes; 0 = none
}

// Result is the outcome of one Run.
type Result struct {
	// Trap is non-nil if the execution trapped; then nothing but
	// Instructions, Logs and Trap is meaningful and the caller must Rollback.
	Trap *reject.Error

	Reply   []byte
	Replied bool
	Reject  *string // msg_reject message

	Calls []Call

	CertifiedData    []byte
	CertifiedDataSet bool
	GlobalTimer      *uint64 // set by global_timer_set
	Accepted         bool    // inspect_message called accept_message (or has none)

	Balance        cycles.Amount // balance after the execution (accepted, burnt and sent cycles)
	CyclesAccepted cycles.Amount
	CyclesBurned   cycles.Amount

	Instructions uint64 // fuel consumed
	Logs         []string
}

// Run executes one invocation. The instance then holds the new state
// tentatively: the caller must Commit or Rollback (always Rollback after a
// trap, a query or inspect_message).
func (i *Instance) Run(inv *Invocation) *Result {
	res := &Result{Balance: inv.Balance}
	if i.store == nil || i.broken != nil {
		err := i.broken
		if err == nil {
			err = errClosed
		}
		res.Trap = reject.New(reject.CanisterWasmEngineError, "%v", err)
		return res
	}
	fn, absent := i.entryPoint(inv)
	if absent != nil {
		res.Trap = absent
		return res
	}
	if fn == nil {
		// The module does not export this system method: nothing to run.
		res.Accepted = inv.Kind == KindInspectMessage
		return res
	}
	x := i.newExecution(inv, res)
	i.cur = x
	err := i.call(x, fn, inv)
	i.cur = nil
	res.Instructions = x.instructions()
	if err != nil || x.trap != nil {
		i.fail(x, err)
		return res
	}
	i.finish(x)
	return res
}

func (i *Instance) newExecution(inv *Invocation, res *Result) *execution {
	ctx := contextOf(inv.Kind, inv.InCompositeQuery)
	limit := inv.Limit
	if limit == 0 {
		limit = i.engine.LimitFor(inv.Kind)
	}
	return &execution{
		inst: i, inv: inv, ctx: ctx, res: res, fuelLimit: limit,
		responded: inv.Responded || !ctx.canRespond(),
		balance:   inv.Balance, available: inv.CyclesAvailable, timer: inv.Timer,
	}
}

// call runs the entry point with the instruction limit as fuel.
func (i *Instance) call(x *execution, fn *wasmtime.Func, inv *Invocation) error {
	if err := i.store.SetFuel(x.fuelLimit); err != nil {
		return fmt.Errorf("set fuel: %w", err)
	}
	var err error
	switch inv.Kind {
	case KindReplyCallback, KindRejectCallback, KindCleanup:
		env := int64(inv.Callback.Env)
		if i.module.Is64 {
			_, err = fn.Call(i.store, env)
		} else {
			_, err = fn.Call(i.store, int32(uint32(env)))
		}
	default:
		_, err = fn.Call(i.store)
	}
	return err
}

// finish completes a successful execution: checks the memory limit and
// reports balances.
func (i *Instance) finish(x *execution) {
	x.discardCall() // an unperformed call is dropped, its cycles returned
	if lim := x.inv.WasmMemoryLimit; lim != 0 && x.ctx&(ctxU|ctxRy|ctxRt|ctxT|ctxI) != 0 {
		if size := uint64(len(i.liveHeap())); size > lim && size > uint64(len(i.heap)) {
			i.fail(x, nil)
			x.res.Trap = reject.New(reject.CanisterWasmMemoryLimitExceeded,
				"Canister exceeded its current Wasm memory limit of %d bytes. The peak Wasm memory usage was %d bytes.", lim, size)
			return
		}
	}
	x.res.Balance = x.balance
}

// fail turns the result into a trap result: every effect is discarded.
func (i *Instance) fail(x *execution, err error) {
	i.trapped = true
	t := x.trap
	if t == nil {
		t = trapFromError(err, x.fuelLimit)
	}
	logLine := t.Message
	if x.trapMessage != nil {
		logLine = *x.trapMessage // the canister's own ic0.trap message
	}
	*x.res = Result{
		Trap: t, Instructions: x.res.Instructions, Balance: x.inv.Balance,
		Logs: append(x.res.Logs, "[TRAP]: "+logLine),
	}
}

// trapFromError maps a wasmtime trap to the IC's error.
func trapFromError(err error, limit uint64) *reject.Error {
	var trap *wasmtime.Trap
	if err == nil || !errors.As(err, &trap) || trap.Code() == nil {
		return reject.New(reject.CanisterTrapped, "Canister trapped: %v", err)
	}
	switch *trap.Code() {
	case wasmtime.OutOfFuel:
		return reject.New(reject.CanisterInstructionLimitExceeded,
			"Canister exceeded the limit of %d instructions for single message execution.", limit)
	case wasmtime.StackOverflow:
		return reject.New(reject.CanisterTrapped, "Canister trapped: stack overflow")
	case wasmtime.MemoryOutOfBounds:
		return reject.New(reject.CanisterTrapped, "Canister trapped: heap out of bounds")
	case wasmtime.TableOutOfBounds:
		return reject.New(reject.CanisterTrapped, "Canister trapped: table out of bounds")
	case wasmtime.IndirectCallToNull:
		return reject.New(reject.CanisterTrapped, "Canister trapped: indirect call to null")
	case wasmtime.BadSignature:
		return reject.New(reject.CanisterTrapped, "Canister trapped: function invocation does not match its signature")
	case wasmtime.IntegerOverflow:
		return reject.New(reject.CanisterTrapped, "Canister trapped: integer overflow")
	case wasmtime.IntegerDivisionByZero:
		return reject.New(reject.CanisterTrapped, "Canister trapped: integer division by 0")
	case wasmtime.BadConversionToInteger:
		return reject.New(reject.CanisterTrapped, "Canister trapped: invalid conversion to integer")
	case wasmtime.UnreachableCodeReached:
		return reject.New(reject.CanisterTrapped, "Canister trapped: unreachable")
	}
	return reject.New(reject.CanisterTrapped, "Canister trapped: %s", trap.Message())
}

// entryPoint finds the function an invocation runs. It returns (nil, nil)
// for a system method the module does not export, and a reject for a
// missing canister method or callback.
func (i *Instance) entryPoint(inv *Invocation) (*wasmtime.Func, *reject.Error) {
	switch inv.Kind {
	case KindReplyCallback, KindRejectCallback, KindCleanup:
		return i.callbackFunc(inv.Callback)
	case KindUpdate:
		return i.method("canister_update", "update", inv.Method)
	case KindReplicatedQuery:
		if i.module.CompositeQueries[inv.Method] {
			return nil, reject.New(compositeQueryCalledInReplicatedMode, "Composite query cannot be called in replicated mode")
		}
		return i.method("canister_query", "query", inv.Method)
	case KindNonReplicatedQuery:
		return i.method("canister_query", "query", inv.Method)
	case KindCompositeQuery:
		return i.method("canister_composite_query", "composite query", inv.Method)
	}
	name, ok := systemExport[inv.Kind]
	if !ok {
		return nil, reject.New(reject.CanisterWasmEngineError, "unknown invocation kind %d", int(inv.Kind))
	}
	return i.exportedFunc(name), nil
}

var systemExport = map[Kind]string{
	KindStart:           exportStart,
	KindInit:            "canister_init",
	KindPreUpgrade:      "canister_pre_upgrade",
	KindPostUpgrade:     "canister_post_upgrade",
	KindInspectMessage:  "canister_inspect_message",
	KindGlobalTimer:     "canister_global_timer",
	KindHeartbeat:       "canister_heartbeat",
	KindOnLowWasmMemory: "canister_on_low_wasm_memory",
}

func (i *Instance) exportedFunc(name string) *wasmtime.Func {
	if name == "" {
		return nil
	}
	ex := i.wasm.GetExport(i.store, name)
	if ex == nil {
		return nil
	}
	return ex.Func()
}

func (i *Instance) method(prefix, what, name string) (*wasmtime.Func, *reject.Error) {
	if fn := i.exportedFunc(prefix + " " + name); fn != nil {
		return fn, nil
	}
	return nil, reject.New(reject.CanisterMethodNotFound,
		"Canister has no %s method '%s'..\nCheck that the method being called is exported by the target canister. See documentation: http://internetcomputer.org/docs/current/references/execution-errors#method-not-found", what, name)
}

// callbackFunc resolves a callback's table index and checks its type.
func (i *Instance) callbackFunc(cb Callback) (*wasmtime.Func, *reject.Error) {
	bad := func(why string) (*wasmtime.Func, *reject.Error) {
		return nil, reject.New(reject.CanisterTrapped, "Canister trapped: callback %d %s", cb.Fun, why)
	}
	if i.table == nil || cb.Fun >= i.table.Size(i.store) {
		return bad("is out of the function table's bounds")
	}
	v, err := i.table.Get(i.store, cb.Fun)
	if err != nil || v.Funcref() == nil {
		return bad("is a null table entry")
	}
	fn := v.Funcref()
	ty := fn.Type(i.store)
	want := wasmtime.KindI32
	if i.module.Is64 {
		want = wasmtime.KindI64
	}
	if len(ty.Params()) != 1 || ty.Params()[0].Kind() != want || len(ty.Results()) != 0 {
		return bad("does not have the callback type (env) -> ()")
	}
	return fn, nil
}

// compositeQueryCalledInReplicatedMode is IC0527 (not yet named in package
// reject).
const compositeQueryCalledInReplicatedMode reject.ErrorCode = 527
