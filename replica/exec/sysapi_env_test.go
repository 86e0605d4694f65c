package exec

import (
	"encoding/binary"
	"testing"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

const envWat = `(module
  (import "ic0" "env_var_count" (func $count (result i64)))
  (import "ic0" "env_var_name_size" (func $nameSize (param i64) (result i64)))
  (import "ic0" "env_var_name_copy" (func $nameCopy (param i64 i64 i64 i64)))
  (import "ic0" "env_var_name_exists" (func $exists (param i64 i64) (result i32)))
  (import "ic0" "env_var_value_size" (func $valueSize (param i64 i64) (result i64)))
  (import "ic0" "env_var_value_copy" (func $valueCopy (param i64 i64 i64 i64 i64)))
  (import "ic0" "root_key_size" (func $rootSize (result i64)))
  (import "ic0" "cost_sign_with_ecdsa" (func $costEcdsa (param i64 i64 i32 i64) (result i32)))
  (import "ic0" "cost_call" (func $costCall (param i64 i64 i64)))
  (import "ic0" "msg_reply_data_append" (func $append (param i64 i64)))
  (import "ic0" "msg_reply" (func $reply))
  (memory i64 1)
  (data (i64.const 0) "B")
  (data (i64.const 8) "key_1")
  (data (i64.const 16) "nope!")
  ;; reply: count, name(0), exists("B"), value("B"), root key size
  (func (export "canister_update env")
    (i64.store (i64.const 100) (call $count))
    (call $nameCopy (i64.const 0) (i64.const 108) (i64.const 0) (call $nameSize (i64.const 0)))
    (i32.store8 (i64.const 109) (call $exists (i64.const 0) (i64.const 1)))
    (call $valueCopy (i64.const 0) (i64.const 1) (i64.const 110) (i64.const 0) (call $valueSize (i64.const 0) (i64.const 1)))
    (call $append (i64.const 100) (i64.const 13))
    (i64.store (i64.const 200) (call $rootSize))
    (call $append (i64.const 200) (i64.const 8))
    (call $reply))
  (func (export "canister_update missing") (drop (call $valueSize (i64.const 16) (i64.const 5))))
  (func (export "canister_query root") (drop (call $rootSize)))
  ;; reply: ecdsa codes for key_1/curve 0, key_1/curve 1, nope!/curve 0, then the fee and cost_call
  (func (export "canister_update costs")
    (i32.store8 (i64.const 300) (call $costEcdsa (i64.const 8) (i64.const 5) (i32.const 0) (i64.const 310)))
    (i32.store8 (i64.const 301) (call $costEcdsa (i64.const 8) (i64.const 5) (i32.const 1) (i64.const 340)))
    (i32.store8 (i64.const 302) (call $costEcdsa (i64.const 16) (i64.const 5) (i32.const 0) (i64.const 340)))
    (call $costCall (i64.const 3) (i64.const 7) (i64.const 326))
    (call $append (i64.const 300) (i64.const 42))
    (call $reply))
)`

func TestEnvironmentRootKeyAndCosts(t *testing.T) {
	e, err := NewEngine(Config{
		RootKey:       []byte("0123456789"),
		ThresholdKeys: []ThresholdKey{{Scheme: SchemeECDSA, Curve: 0, Name: "key_1", Fee: cycles.Of(26_153_846_153)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := watModule(t, e, envWat)
	inv := invocation(KindUpdate, "env", nil)
	inv.EnvVars = []EnvVar{{"C", "cee"}, {"B", "bee"}, {"A", "ay"}}
	res := mustRun(t, instantiate(t, e, m, nil), inv)
	if got := binary.LittleEndian.Uint64(res.Reply); got != 3 {
		t.Fatalf("count %d", got)
	}
	if string(res.Reply[8:13]) != "A\x01bee" {
		t.Fatalf("name/exists/value %q", res.Reply[8:13])
	}
	if got := binary.LittleEndian.Uint64(res.Reply[13:]); got != 10 {
		t.Fatalf("root key size %d", got)
	}
	wantTrap(t, instantiate(t, e, m, nil).Run(invocation(KindUpdate, "missing", nil)), reject.CanisterContractViolation)
	wantTrap(t, instantiate(t, e, m, nil).Run(invocation(KindNonReplicatedQuery, "root", nil)), reject.CanisterContractViolation)

	res = mustRun(t, instantiate(t, e, m, nil), invocation(KindUpdate, "costs", nil))
	if res.Reply[0] != 0 || res.Reply[1] != 1 || res.Reply[2] != 2 {
		t.Fatalf("cost codes %v, want 0 1 2", res.Reply[:3])
	}
	if fee := binary.LittleEndian.Uint64(res.Reply[10:]); fee != 26_153_846_153 {
		t.Fatalf("ecdsa fee %d", fee)
	}
	// 260k base + 10 bytes + 2 MiB response reservation at 1k/byte, plus
	// 5M + 40e9 instructions at 2 cycles per 10 (wasm64) for the callback.
	want := uint64(260_000 + 10*1_000 + (2<<20)*1_000 + 5_000_000 + 40e9/10*20)
	if got := binary.LittleEndian.Uint64(res.Reply[26:]); got != want {
		t.Fatalf("cost_call %d, want %d", got, want)
	}
}
