package exec

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/reject"
)

func TestCompileRefusesInvalidModules(t *testing.T) {
	tests := []struct {
		name, wat, wantErr string
	}{
		{"unknown ic0 import", `(module (import "ic0" "foo" (func)))`,
			"module imports ic0.foo, which this replica does not provide"},
		{"32-bit-only import in a wasm64 module", `(module (import "ic0" "stable_size" (func (result i32))) (memory i64 1))`,
			"module imports ic0.stable_size, which this replica does not provide"},
		{"import outside ic0", `(module (import "env" "f" (func)))`,
			"module imports env.f: all imports must come from module ic0"},
		{"imported memory", `(module (import "ic0" "mem" (memory 1)))`,
			"module imports ic0.mem as a non-function"},
		{"wrong import type", `(module (import "ic0" "msg_reply" (func (param i32))))`,
			"module imports ic0.msg_reply with the wrong type (want () -> ())"},
		{"wrong pointer width", `(module (import "ic0" "msg_arg_data_size" (func (result i32))) (memory i64 1))`,
			"module imports ic0.msg_arg_data_size with the wrong type (want () -> (i64))"},
		{"duplicate method name", `(module (func $f) (export "canister_update m" (func $f)) (export "canister_query m" (func $f)))`,
			`duplicate method name "m"`},
		{"unknown canister_ export", `(module (func $f) (export "canister_foo" (func $f)))`,
			`export "canister_foo" uses the reserved prefix`},
		{"reserved canister_start export", `(module (func $f) (export "canister_start" (func $f)))`,
			`export "canister_start" uses the reserved prefix`},
		{"method with parameters", `(module (func $f (param i32)) (export "canister_update m" (func $f)))`,
			`exported function "canister_update m" must have type () -> ()`},
		{"bad icp section name", `(module (@custom "icp:secret x" "y"))`,
			`invalid custom section "icp:secret x"`},
		{"duplicate metadata", `(module (@custom "icp:public x" "a") (@custom "icp:private x" "b"))`,
			`duplicate custom section for metadata "x"`},
	}
	e := newTestEngine(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wasm, err := wasmtime.Wat2Wasm(tc.wat)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Compile(wasm)
			var re *reject.Error
			if !errors.As(err, &re) || re.ErrorCode != reject.CanisterInvalidWasm {
				t.Fatalf("error %v, want IC0505", err)
			}
			if !strings.Contains(re.Message, tc.wantErr) {
				t.Fatalf("message %q does not contain %q", re.Message, tc.wantErr)
			}
		})
	}
	t.Run("garbage", func(t *testing.T) {
		if _, err := e.Compile([]byte("hello world")); err == nil {
			t.Fatal("garbage compiled")
		}
	})
}

func TestCompileDescribesModule(t *testing.T) {
	wat := `(module
	  (memory 1)
	  (func $f)
	  (export "canister_init" (func $f))
	  (export "canister_heartbeat" (func $f))
	  (export "canister_on_low_wasm_memory" (func $f))
	  (export "canister_update up" (func $f))
	  (export "canister_query q" (func $f))
	  (export "canister_composite_query cq" (func $f))
	  (export "other" (func $f))
	  (@custom "icp:public candid:service" "service : {}")
	  (@custom "icp:private secret" "s"))`
	e := newTestEngine(t)
	raw, err := wasmtime.Wat2Wasm(wat)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	for name, wasm := range map[string][]byte{"raw": raw, "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			m, err := e.Compile(wasm)
			if err != nil {
				t.Fatal(err)
			}
			if m.Hash != sha256.Sum256(wasm) || !bytes.Equal(m.Wasm, wasm) {
				t.Fatal("hash or bytes are not those of the uploaded module")
			}
			if m.Is64 || m.EOP || !m.Has.Init || !m.Has.Heartbeat || !m.Has.OnLowWasmMemory || m.Has.PreUpgrade ||
				!m.Updates["up"] || !m.Queries["q"] || !m.CompositeQueries["cq"] || len(m.Updates) != 1 {
				t.Fatalf("description wrong: %+v", m)
			}
			if md := m.Metadata["candid:service"]; !md.Public || string(md.Content) != "service : {}" {
				t.Fatalf("candid:service = %+v", md)
			}
			if md := m.Metadata["secret"]; md.Public || string(md.Content) != "s" {
				t.Fatalf("secret = %+v", md)
			}
			again, err := e.Compile(wasm)
			if err != nil || again != m {
				t.Fatal("second compile did not come from the cache")
			}
			e.Evict(m.Hash)
			if fresh, err := e.Compile(wasm); err != nil || fresh == m {
				t.Fatal("compile after Evict came from the cache")
			}
		})
	}
}

// TestStartIsExportedNotRun checks the start instrumentation: the start
// function does not run at instantiation, runs as KindStart, and in the
// start context only the "s" functions are allowed.
func TestStartIsExportedNotRun(t *testing.T) {
	wat := `(module
	  (import "ic0" "msg_caller_size" (func $caller (result i32)))
	  (memory 1)
	  (global $g (mut i32) (i32.const 0))
	  (func $start (global.set $g (i32.const 42)) (i32.store (i32.const 0) (i32.const 7)))
	  (start $start)
	  (func (export "canister_init") (drop (call $caller))))`
	e := newTestEngine(t)
	m := watModule(t, e, wat)
	inst := instantiate(t, e, m, nil)
	if g := inst.liveState().Globals[0].Bits; g != 0 {
		t.Fatalf("global after instantiation = %d: start ran", g)
	}
	mustRun(t, inst, invocation(KindStart, "", nil))
	live := inst.liveState()
	if live.Globals[0].Bits != 42 || live.Heap[0] != 7 {
		t.Fatalf("start did not run: global %d heap[0] %d", live.Globals[0].Bits, live.Heap[0])
	}
	mustRun(t, inst, invocation(KindInit, "", nil))

	// Modules without a start function or without init run nothing.
	plain := instantiate(t, e, watModule(t, e, `(module (memory 1))`), nil)
	for _, k := range []Kind{KindStart, KindInit, KindPostUpgrade, KindGlobalTimer} {
		if res := plain.Run(invocation(k, "", nil)); res.Trap != nil || res.Instructions != 0 {
			t.Fatalf("%s on an empty module: %+v", k, res)
		}
	}
	if res := plain.Run(invocation(KindInspectMessage, "m", nil)); !res.Accepted {
		t.Fatal("a module without canister_inspect_message must accept")
	}
	wantTrap(t, plain.Run(invocation(Kind(99), "", nil)), reject.CanisterWasmEngineError)
	res := plain.Run(invocation(KindUpdate, "nope", nil))
	wantTrap(t, res, reject.CanisterMethodNotFound)
	if !strings.Contains(res.Trap.Message, "Canister has no update method 'nope'") {
		t.Fatalf("message %q", res.Trap.Message)
	}
}
