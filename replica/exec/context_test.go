package exec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/canistry/canistry/replica/reject"
)

// contextWat builds a wasm64 module whose every entry point (start, system
// methods, update, query, composite query, inspect, callback) calls one ic0
// function with zero arguments.
func contextWat(hf *hostFunc) string { return contextWatWidth(hf, true) }

// contextWatWidth is contextWat for either pointer width.
func contextWatWidth(hf *hostFunc, is64 bool) string {
	var params, args, drops strings.Builder
	for _, p := range hf.params {
		k := valKind(byte(p), is64).String()
		fmt.Fprintf(&params, " %s", k)
		fmt.Fprintf(&args, " (%s.const 0)", k)
	}
	mem := "i32"
	if is64 {
		mem = "i64"
	}
	var results string
	for _, r := range hf.results {
		results += " " + valKind(byte(r), is64).String()
		drops.WriteString(" drop")
	}
	return fmt.Sprintf(`(module
  (import "ic0" %q (func $f (param%s) (result%s)))
  (memory %s 1)
  (table 1 funcref)
  (elem (i32.const 0) $cb)
  (func $call (call $f%s)%s)
  (func $cb (param %s) (call $call))
  (start $call)
  (export "canister_init" (func $call))
  (export "canister_pre_upgrade" (func $call))
  (export "canister_post_upgrade" (func $call))
  (export "canister_inspect_message" (func $call))
  (export "canister_global_timer" (func $call))
  (export "canister_heartbeat" (func $call))
  (export "canister_update u" (func $call))
  (export "canister_query q" (func $call))
  (export "canister_composite_query cq" (func $call))
)`, hf.name, params.String(), results, mem, args.String(), drops.String(), mem)
}

// contextCase is one invocation kind and the spec's letter for it.
type contextCase struct {
	letter    string
	kind      Kind
	method    string
	composite bool
}

var contextCases = []contextCase{
	{"s", KindStart, "", false},
	{"I", KindInit, "", false},
	{"I", KindPostUpgrade, "", false},
	{"G", KindPreUpgrade, "", false},
	{"U", KindUpdate, "u", false},
	{"RQ", KindReplicatedQuery, "q", false},
	{"NRQ", KindNonReplicatedQuery, "q", false},
	{"CQ", KindCompositeQuery, "cq", false},
	{"F", KindInspectMessage, "u", false},
	{"Ry", KindReplyCallback, "", false},
	{"Rt", KindRejectCallback, "", false},
	{"CRy", KindReplyCallback, "", true},
	{"CRt", KindRejectCallback, "", true},
	{"C", KindCleanup, "", false},
	{"CC", KindCleanup, "", true},
	{"T", KindGlobalTimer, "", false},
	{"T", KindHeartbeat, "", false},
}

// TestContextRules checks one representative function of every context
// class of the spec (§7.3): allowed where the spec lists it, IC0504
// naming the function and the mode elsewhere. The expected letters are
// spelled out here independently of the implementation's table.
func TestContextRules(t *testing.T) {
	all := "I G U RQ NRQ CQ Ry Rt CRy CRt C CC F T"
	tests := []struct {
		fn      string
		allowed string
	}{
		{"msg_arg_data_size", "I U RQ NRQ CQ Ry CRy F"},
		{"msg_caller_size", all},
		{"msg_reject_code", "Ry Rt CRy CRt"},
		{"msg_reject_msg_size", "Rt CRt"},
		{"msg_deadline", "U RQ NRQ CQ Ry Rt CRy CRt"},
		{"msg_reply", "U RQ NRQ CQ Ry Rt CRy CRt"},
		{"msg_cycles_accept128", "U RQ Rt Ry"},
		{"msg_cycles_refunded128", "Rt Ry"},
		{"cycles_burn128", "I G U RQ Ry Rt C T"},
		{"msg_method_name_size", "F"},
		{"accept_message", "F"},
		{"call_new", "U CQ Ry Rt CRy CRt T"},
		{"call_cycles_add128", "U Ry Rt T"}, // traps anyway (no call_new): see below
		{"stable64_size", all + " s"},
		{"certified_data_set", "I G U Ry Rt T"},
		{"data_certificate_size", "NRQ CQ"},
		{"global_timer_set", "I G U Ry Rt C T"},
		{"performance_counter", all + " s"},
		{"is_controller", all + " s"},
		{"in_replicated_execution", all + " s"},
		{"debug_print", all + " s"},
		{"time", all},
		{"canister_self_size", all},
		{"cost_call", all + " s"},
	}
	e := newTestEngine(t)
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			hf, ok := lookupHostFunc(tc.fn, true)
			if !ok {
				t.Fatalf("ic0.%s not provided", tc.fn)
			}
			m := watModule(t, e, contextWat(hf))
			allowed := map[string]bool{}
			for _, l := range strings.Fields(tc.allowed) {
				allowed[l] = true
			}
			for _, c := range contextCases {
				checkContext(t, e, m, tc.fn, c, allowed[c.letter])
			}
		})
	}
}

func checkContext(t *testing.T, e *Engine, m *Module, fn string, c contextCase, allowed bool) {
	t.Helper()
	inst := instantiate(t, e, m, nil)
	inv := invocation(c.kind, c.method, nil)
	inv.InCompositeQuery = c.composite
	inv.DataCertificate = []byte("certificate")
	res := inst.Run(inv)
	violation := res.Trap != nil && res.Trap.ErrorCode == reject.CanisterContractViolation &&
		strings.Contains(res.Trap.Message, `"ic0_`+fn+`" cannot be executed in`)
	switch {
	case allowed && violation:
		t.Errorf("%s in %s (%s): unexpected violation %v", fn, c.letter, c.kind, res.Trap)
	case !allowed && !violation:
		t.Errorf("%s in %s (%s): expected IC0504 contract violation, got %v", fn, c.letter, c.kind, res.Trap)
	}
	if allowed && res.Trap != nil && fn != "call_cycles_add128" {
		t.Errorf("%s in %s (%s): unexpected trap %v", fn, c.letter, c.kind, res.Trap)
	}
}

// TestEveryFunctionRuns calls every ic0 function of both pointer widths with
// zero arguments in every context: whatever the outcome (result or typed
// trap), none may fail in Go or trap without a typed cause.
func TestEveryFunctionRuns(t *testing.T) {
	e := newTestEngine(t)
	for _, is64 := range []bool{false, true} {
		for name, hf := range hostFuncs {
			if hf.only32 && is64 {
				continue
			}
			m := watModule(t, e, contextWatWidth(hf, is64))
			for _, c := range contextCases {
				inst := instantiate(t, e, m, nil)
				inv := invocation(c.kind, c.method, nil)
				inv.InCompositeQuery = c.composite
				res := inst.Run(inv)
				expected := res.Trap == nil || res.Trap.ErrorCode == reject.CanisterContractViolation ||
					(name == "trap" && res.Trap.ErrorCode == reject.CanisterCalledTrap)
				if !expected {
					t.Errorf("%s (64-bit %v) in %s: unexpected trap %v", name, is64, c.letter, res.Trap)
				}
			}
		}
	}
}
