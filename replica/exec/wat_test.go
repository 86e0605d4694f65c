package exec

import (
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/reject"
)

// watModule compiles WAT text with the engine.
func watModule(t testing.TB, e *Engine, wat string) *Module {
	t.Helper()
	wasm, err := wasmtime.Wat2Wasm(wat)
	if err != nil {
		t.Fatalf("wat2wasm: %v", err)
	}
	m, err := e.Compile(wasm)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return m
}

func instantiate(t testing.TB, e *Engine, m *Module, with *State) *Instance {
	t.Helper()
	inst, err := e.Instantiate(m, with)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(inst.Close)
	return inst
}

// wantTrap checks that a result trapped with the given error code.
func wantTrap(t testing.TB, res *Result, code reject.ErrorCode) {
	t.Helper()
	if res.Trap == nil {
		t.Fatalf("expected trap %s, got none (replied=%v)", code, res.Replied)
	}
	if res.Trap.ErrorCode != code {
		t.Fatalf("expected trap %s, got %v", code, res.Trap)
	}
}
