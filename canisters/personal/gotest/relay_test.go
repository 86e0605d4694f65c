package gotest

import (
	"fmt"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/replicatest"
)

// relayWAT is a minimal canister that forwards one call: its update method
// "relay" takes the raw argument
//
//	[len(callee)] callee [len(method)] method payload
//
// (lengths one byte each), calls callee.method(payload) and answers with the
// callee's reply bytes or rejects with its reject message. It lets a test
// reach the personal canister's methods as a canister that is not the owner
// (the typed #unauthorized answers, deliver and peer_get_document from a
// canister), which ingress calls cannot: inspect refuses them first.
const relayWAT = `(module
  (import "ic0" "msg_arg_data_size" (func $arg_size (result i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_data_append" (func $call_append (param i32 i32)))
  (import "ic0" "call_perform" (func $call_perform (result i32)))
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $reply_append (param i32 i32)))
  (import "ic0" "msg_reject" (func $reject (param i32 i32)))
  (import "ic0" "msg_reject_msg_size" (func $reject_size (result i32)))
  (import "ic0" "msg_reject_msg_copy" (func $reject_copy (param i32 i32 i32)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (memory 64)
  (data (i32.const 4194000) "relay: call_perform failed")
  (table 2 funcref)
  (elem (i32.const 0) $on_reply $on_reject)
  (func (export "canister_update relay")
    (local $n i32) (local $id_len i32) (local $method_len i32) (local $payload i32)
    (local.set $n (call $arg_size))
    (call $arg_copy (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $id_len (i32.load8_u (i32.const 0)))
    (local.set $method_len (i32.load8_u (i32.add (i32.const 1) (local.get $id_len))))
    (local.set $payload (i32.add (i32.const 2) (i32.add (local.get $id_len) (local.get $method_len))))
    (call $call_new
      (i32.const 1) (local.get $id_len)
      (i32.add (i32.const 2) (local.get $id_len)) (local.get $method_len)
      (i32.const 0) (i32.const 0)
      (i32.const 1) (i32.const 0))
    (call $call_append (local.get $payload) (i32.sub (local.get $n) (local.get $payload)))
    (if (call $call_perform)
      (then (call $trap (i32.const 4194000) (i32.const 26)))))
  (func $on_reply (param $env i32)
    (local $n i32)
    (local.set $n (call $arg_size))
    (call $arg_copy (i32.const 0) (i32.const 0) (local.get $n))
    (call $reply_append (i32.const 0) (local.get $n))
    (call $reply))
  (func $on_reject (param $env i32)
    (local $n i32)
    (local.set $n (call $reject_size))
    (call $reject_copy (i32.const 0) (i32.const 0) (local.get $n))
    (call $reject (i32.const 0) (local.get $n))))`

// installRelay creates and installs the relay canister.
func (e *env) installRelay() principal.Principal {
	e.t.Helper()
	wasm, err := wasmtime.Wat2Wasm(relayWAT)
	if err != nil {
		e.t.Fatalf("relay wat: %v", err)
	}
	id := replicatest.CreateCanister(e.t, e.owner)
	if err := replicatest.Install(e.owner, id, wasm, nil, replicatest.ModeInstall); err != nil {
		e.t.Fatalf("install relay: %v", err)
	}
	return id
}

// relayCall makes relay call target.method with the Candid-encoded args and
// decodes the reply into out. The caller the target sees is relay.
func relayCall(a *agent.Agent, relay, target principal.Principal, method string, args []any, out []any) error {
	payload, err := candidArgs(args)
	if err != nil {
		return err
	}
	callee := target.Raw
	if len(callee) > 255 || len(method) > 255 {
		return fmt.Errorf("relay: callee or method name too long")
	}
	arg := append([]byte{byte(len(callee))}, callee...)
	arg = append(arg, byte(len(method)))
	arg = append(arg, method...)
	arg = append(arg, payload...)
	reply, err := a.CallRaw(relay, "relay", arg)
	if err != nil {
		return fmt.Errorf("relay %s.%s: %w", target, method, err)
	}
	return candidUnmarshal(reply, out)
}

func relayed[T any](a *agent.Agent, relay, target principal.Principal, method string, args ...any) (T, error) {
	var out T
	err := relayCall(a, relay, target, method, args, []any{&out})
	return out, err
}
