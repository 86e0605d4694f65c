package exec

import (
	"errors"
	"fmt"
	"strings"
	"weak"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/reject"
)

// hostFunc describes one ic0 function: its signature (with 'I' standing
// for the module's pointer type), the contexts it may be called in, and its
// implementation.
type hostFunc struct {
	name    string
	params  string // one letter per parameter: I = pointer width, i = i32, l = i64
	results string
	allowed apiContext
	only32  bool // deprecated forms that exist only for wasm32 modules
	fn      func(x *execution, a []uint64) (uint64, error)
}

// hostFuncs indexes the System API by name; built from the per-area tables.
var hostFuncs = func() map[string]*hostFunc {
	m := map[string]*hostFunc{}
	for _, list := range [][]hostFunc{msgFuncs, callFuncs, cyclesFuncs, stableFuncs, miscFuncs, envFuncs} {
		for i := range list {
			m[list[i].name] = &list[i]
		}
	}
	return m
}()

func lookupHostFunc(name string, is64 bool) (*hostFunc, bool) {
	hf, ok := hostFuncs[name]
	if !ok || (hf.only32 && is64) {
		return nil, false
	}
	return hf, true
}

func valKind(letter byte, is64 bool) wasmtime.ValKind {
	switch letter {
	case 'i':
		return wasmtime.KindI32
	case 'l':
		return wasmtime.KindI64
	}
	if is64 {
		return wasmtime.KindI64
	}
	return wasmtime.KindI32
}

func valTypes(letters string, is64 bool) []*wasmtime.ValType {
	out := make([]*wasmtime.ValType, len(letters))
	for i := range letters {
		out[i] = wasmtime.NewValType(valKind(letters[i], is64))
	}
	return out
}

func (hf *hostFunc) funcType(is64 bool) *wasmtime.FuncType {
	return wasmtime.NewFuncType(valTypes(hf.params, is64), valTypes(hf.results, is64))
}

// signature renders the type for error messages, e.g. (i64, i64) -> ().
func (hf *hostFunc) signature(is64 bool) string {
	render := func(letters string) string {
		parts := make([]string, len(letters))
		for i := range letters {
			parts[i] = valKind(letters[i], is64).String()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return render(hf.params) + " -> " + render(hf.results)
}

// newLinker defines the whole System API for one pointer width.
func (e *Engine) newLinker(is64 bool) (*wasmtime.Linker, error) {
	l := wasmtime.NewLinker(e.wasm)
	for _, hf := range hostFuncs {
		if hf.only32 && is64 {
			continue
		}
		if err := l.FuncNew("ic0", hf.name, hf.funcType(is64), hostTrampoline(hf, is64)); err != nil {
			return nil, fmt.Errorf("ic0.%s: %w", hf.name, err)
		}
	}
	return l, nil
}

// hostTrampoline adapts a hostFunc to wasmtime: it finds the running
// execution through the store's data, enforces the context rules, converts
// arguments and turns errors into traps (remembering the typed error, which
// Run reports instead of wasmtime's generic trap).
func hostTrampoline(hf *hostFunc, is64 bool) func(*wasmtime.Caller, []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
	resultKinds := make([]wasmtime.ValKind, len(hf.results))
	for i := range hf.results {
		resultKinds[i] = valKind(hf.results[i], is64)
	}
	return func(c *wasmtime.Caller, args []wasmtime.Val) ([]wasmtime.Val, *wasmtime.Trap) {
		ref, _ := c.Data().(weak.Pointer[Instance])
		inst := ref.Value()
		if inst == nil || inst.cur == nil {
			return nil, wasmtime.NewTrap("ic0." + hf.name + " called outside of an execution")
		}
		x := inst.cur
		if hf.allowed&x.ctx == 0 {
			return nil, x.fail(contractViolation("\"ic0_%s\" cannot be executed in %s mode", hf.name, x.ctx.modeName()))
		}
		var raw [8]uint64
		for i, v := range args {
			raw[i] = valBits(v)
		}
		x.caller = c
		r, err := hf.fn(x, raw[:len(args)])
		x.caller = nil
		if err != nil {
			return nil, x.fail(asReject(err))
		}
		if len(resultKinds) == 0 {
			return nil, nil
		}
		if resultKinds[0] == wasmtime.KindI32 {
			return []wasmtime.Val{wasmtime.ValI32(int32(uint32(r)))}, nil
		}
		return []wasmtime.Val{wasmtime.ValI64(int64(r))}, nil
	}
}

func valBits(v wasmtime.Val) uint64 {
	if v.Kind() == wasmtime.KindI32 {
		return uint64(uint32(v.I32()))
	}
	return uint64(v.I64())
}

func asReject(err error) *reject.Error {
	var re *reject.Error
	if errors.As(err, &re) {
		return re
	}
	return contractViolation("%v", err)
}

// contractViolation is the IC's IC0504 for System API misuse.
func contractViolation(format string, args ...any) *reject.Error {
	return reject.New(reject.CanisterContractViolation, "Canister violated contract: "+format, args...)
}

// heapOutOfBounds is the trap of a System API access outside wasm memory.
func heapOutOfBounds(fn string) *reject.Error {
	return reject.New(reject.CanisterTrapped, "Canister trapped: heap out of bounds (in ic0.%s)", fn)
}
