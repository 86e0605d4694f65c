package exec

import (
	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

// maxPayload is the IC's limit on a reply or an inter-canister call argument.
const maxPayload = 2 << 20

// execution is the state of one Run: the invocation, what the canister has
// done so far through the System API, and the Result being built.
type execution struct {
	inst      *Instance
	inv       *Invocation
	ctx       apiContext
	res       *Result
	caller    *wasmtime.Caller // set while a host function runs
	fuelLimit uint64
	trap      *reject.Error // first typed trap raised by a host function

	responded bool
	replyBuf  []byte
	call      *Call // call under construction (call_new … call_perform)
	balance   cycles.Amount
	available cycles.Amount
	timer     uint64
	sortedEnv []EnvVar
	// trapMessage is the canister's message when it called ic0.trap.
	trapMessage *string
}

// fail records the typed cause of a trap and returns the wasmtime trap that
// unwinds the canister.
func (x *execution) fail(err *reject.Error) *wasmtime.Trap {
	if x.trap == nil {
		x.trap = err
	}
	return wasmtime.NewTrap(err.Message)
}

// memory is the canister's wasm memory (nil if it declares none).
func (x *execution) memory() []byte {
	if x.inst.mem == nil {
		return nil
	}
	return x.inst.mem.UnsafeData(x.caller)
}

// inBounds reports whether [off, off+size) lies within n bytes, without
// overflowing.
func inBounds(off, size, n uint64) bool {
	return off <= n && size <= n-off
}

// read copies size bytes at src out of wasm memory.
func (x *execution) read(fn string, src, size uint64) ([]byte, error) {
	mem := x.memory()
	if !inBounds(src, size, uint64(len(mem))) {
		return nil, heapOutOfBounds(fn)
	}
	return append([]byte(nil), mem[src:src+size]...), nil
}

// write copies data into wasm memory at dst.
func (x *execution) write(fn string, dst uint64, data []byte) error {
	mem := x.memory()
	if !inBounds(dst, uint64(len(data)), uint64(len(mem))) {
		return heapOutOfBounds(fn)
	}
	copy(mem[dst:], data)
	return nil
}

// copyOut implements the *_copy(dst, offset, size) convention: it copies
// data[offset:offset+size] to memory at dst.
func (x *execution) copyOut(fn string, dst, offset, size uint64, data []byte) error {
	if !inBounds(offset, size, uint64(len(data))) {
		return contractViolation("ic0.%s: offset %d + size %d exceeds the data size %d", fn, offset, size, len(data))
	}
	return x.write(fn, dst, data[offset:offset+size])
}

// liquid is the balance that may be spent: above the freezing limit.
func (x *execution) liquid() cycles.Amount {
	return x.balance.Sub(x.inv.FreezingLimit)
}

// instructions is the fuel consumed so far in this execution.
func (x *execution) instructions() uint64 {
	left, err := x.inst.store.GetFuel()
	if err != nil || left > x.fuelLimit {
		return 0
	}
	return x.fuelLimit - left
}
