package exec

import (
	"bytes"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

func TestULEB(t *testing.T) {
	tests := []struct {
		v       uint64
		encoded []byte
	}{
		{0, []byte{0}},
		{127, []byte{0x7f}},
		{128, []byte{0x80, 0x01}},
		{624485, []byte{0xe5, 0x8e, 0x26}},
		{1<<32 - 1, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{1<<64 - 1, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	}
	for _, tc := range tests {
		if got := appendULEB(nil, tc.v); !bytes.Equal(got, tc.encoded) {
			t.Errorf("encode %d = %x, want %x", tc.v, got, tc.encoded)
		}
		r := &reader{buf: tc.encoded}
		if got, err := r.uleb(64); err != nil || got != tc.v || !r.done() {
			t.Errorf("decode %x = %d, %v", tc.encoded, got, err)
		}
	}
	bad := []struct {
		name string
		in   []byte
		bits uint
	}{
		{"u32 overflow", []byte{0xff, 0xff, 0xff, 0xff, 0x1f}, 32},
		{"u32 too long", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32},
		{"truncated", []byte{0x80}, 32},
		{"u64 too long", bytes.Repeat([]byte{0x80}, 11), 64},
	}
	for _, tc := range bad {
		if _, err := (&reader{buf: tc.in}).uleb(tc.bits); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestSectionsRoundTrip(t *testing.T) {
	wasm, err := wasmtime.Wat2Wasm(`(module (memory 1) (func $f) (export "f" (func $f)) (@custom "c" "x"))`)
	if err != nil {
		t.Fatal(err)
	}
	secs, err := splitSections(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if got := joinSections(secs); !bytes.Equal(got, wasm) {
		t.Fatal("split/join changed the module")
	}
	if _, err := splitSections(wasm[:len(wasm)-1]); err == nil {
		t.Fatal("truncated module accepted")
	}
}

// TestInstrumentInsertsExportSection covers a module without any export
// section: the instrumentation must add one at the right position (before
// the code section), or wasmtime rejects the module.
func TestInstrumentInsertsExportSection(t *testing.T) {
	wasm, err := wasmtime.Wat2Wasm(`(module (memory 1) (global $g (mut i64) (i64.const 3)) (func $s (global.set $g (i64.const 4))) (start $s))`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseModule(wasm)
	if err != nil {
		t.Fatal(err)
	}
	var layout moduleLayout
	layout.hasMemory = true
	out, err := instrument(p, &layout)
	if err != nil {
		t.Fatal(err)
	}
	q, err := parseModule(out)
	if err != nil {
		t.Fatal(err)
	}
	if q.start != nil {
		t.Fatal("start section still present")
	}
	names := map[string]byte{}
	for _, e := range q.exports {
		names[e.name] = e.kind
	}
	if names[exportStart] != externFunc || names[exportMemory] != externMemory || names["canister_global_0"] != externGlobal || len(names) != 3 {
		t.Fatalf("exports %v", names)
	}
	if _, err := wasmtime.NewModule(wasmtime.NewEngine(), out); err != nil {
		t.Fatalf("instrumented module does not validate: %v", err)
	}
}

func TestParseGlobalsConstExprs(t *testing.T) {
	wasm, err := wasmtime.Wat2Wasm(`(module
	  (global $a i32 (i32.const -5))
	  (global $b (mut i64) (i64.const 0x7fffffffffffffff))
	  (global $c (mut f32) (f32.const 1.5))
	  (global $d (mut f64) (f64.const -2.5))
	  (global $e (mut funcref) (ref.null func))
	  (global $f (mut v128) (v128.const i64x2 1 2))
	  (global $g i32 (i32.add (global.get $a) (i32.const 1))))`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseModule(wasm)
	if err != nil {
		t.Fatal(err)
	}
	want := []globalEntry{{0x7f, false}, {0x7e, true}, {0x7d, true}, {0x7c, true}, {0x70, true}, {0x7b, true}, {0x7f, false}}
	if len(p.globals) != len(want) {
		t.Fatalf("globals %v", p.globals)
	}
	for i := range want {
		if p.globals[i] != want[i] {
			t.Errorf("global %d = %+v, want %+v", i, p.globals[i], want[i])
		}
	}
	// Mutable reference and vector globals cannot be persisted.
	var layout moduleLayout
	if _, err := instrument(p, &layout); err == nil {
		t.Fatal("mutable funcref global accepted")
	}
}
