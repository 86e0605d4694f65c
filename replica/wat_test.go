package replica_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// stableCanister is a wasm32 canister (the Rust CDK's pointer width, with
// the 32-bit stable_* forms) that counts in three places at once: its heap,
// a mutable global and stable memory. "read" replies the three as
// little-endian u32s.
const stableCanister = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "stable_size" (func $stable_size (result i32)))
  (import "ic0" "stable_grow" (func $stable_grow (param i32) (result i32)))
  (import "ic0" "stable_read" (func $stable_read (param i32 i32 i32)))
  (import "ic0" "stable_write" (func $stable_write (param i32 i32 i32)))
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "canister_init") (drop (call $stable_grow (i32.const 1))))
  (func (export "canister_update bump")
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (call $stable_read (i32.const 16) (i32.const 0) (i32.const 4))
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
    (call $stable_write (i32.const 0) (i32.const 16) (i32.const 4))
    (call $reply))
  (func (export "canister_query read")
    (i32.store (i32.const 4) (global.get $g))
    (call $stable_read (i32.const 8) (i32.const 0) (i32.const 4))
    (call $append (i32.const 0) (i32.const 12))
    (call $reply)))`

func watModule(t testing.TB, src string) []byte {
	t.Helper()
	wasm, err := wasmtime.Wat2Wasm(src)
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// TestStableMemoryAndGlobalsSurviveRestart: heap, globals and stable memory
// of a wasm32 canister all come back after a restart.
func TestStableMemoryAndGlobalsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, watModule(t, stableCanister), nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := a.CallRaw(id, "bump", []byte{}); err != nil {
			t.Fatalf("bump: %v", err)
		}
	}
	want := make([]byte, 12)
	for i := 0; i < 3; i++ {
		binary.LittleEndian.PutUint32(want[4*i:], 3)
	}
	r.Stop()

	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	a2 := r2.Agent(t, nil)
	got, err := a2.QueryRaw(id, "read", []byte{})
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read after restart = %v, %v; want heap=global=stable=3 %v", got, err, want)
	}
}

func TestUnknownSystemAPIImportIsNamedAtInstall(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	wasm := watModule(t, `(module (import "ic0" "teleport" (func (param i32))) (memory 1))`)
	err := replicatest.Install(a, id, wasm, nil, replicatest.ModeInstall)
	if err == nil || !strings.Contains(err.Error(), "IC0505") || !strings.Contains(err.Error(), "teleport") {
		t.Fatalf("install: err = %v, want IC0505 naming ic0.teleport", err)
	}
	if err := replicatest.Install(a, id, []byte("not wasm at all"), nil, replicatest.ModeInstall); err == nil || !strings.Contains(err.Error(), "IC0505") {
		t.Fatalf("install garbage: err = %v", err)
	}
}

// TestInspectMessageWithoutAcceptIsIC0406: a canister_inspect_message that
// returns without accepting refuses the message with IC0406.
func TestInspectMessageWithoutAcceptIsIC0406(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	wasm := watModule(t, `(module
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func (export "canister_inspect_message"))
  (func (export "canister_update set") (call $reply)))`)
	if err := replicatest.Install(a, id, wasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	_, err := a.CallRaw(id, "set", []byte{})
	if err == nil || !strings.Contains(err.Error(), "IC0406") || !strings.Contains(err.Error(), "(4)") {
		t.Fatalf("err = %v, want reject code 4, IC0406", err)
	}
}
