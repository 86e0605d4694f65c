// Package exec runs canister WASM on wasmtime with the IC System API (ic0):
// it validates and instruments modules, executes one message at a time on an
// instance and keeps the instance's committed state so that every execution
// can be committed or rolled back exactly.
//
// Install (the caller supplies the invocation's context: caller, time,
// cycles, ...):
//
//	m, err := engine.Compile(wasm)                // cached by hash; IC0505 on bad modules
//	inst, err := engine.Instantiate(m, nil)       // start NOT run
//	res := inst.Run(&exec.Invocation{Kind: exec.KindStart})
//	res = inst.Run(&exec.Invocation{Kind: exec.KindInit, Arg: arg, Caller: installer})
//	delta := inst.Commit()                        // or inst.Rollback() if res.Trap != nil
//
// Messages: Run with KindUpdate (then Commit, or Rollback on a trap),
// KindNonReplicatedQuery / KindInspectMessage (always Rollback), callbacks
// with KindReplyCallback / KindRejectCallback / KindCleanup and the
// Callback recorded in Result.Calls.
//
// Restart from disk: Instantiate(m, state). Upgrade: KindPreUpgrade on the
// old instance and Commit, then a new instance of the new module with the
// old stable memory, then KindStart and KindPostUpgrade, then Commit:
//
//	old := oldInst.State()
//	keep, _ := engine.Instantiate(newModule, &exec.State{Heap: old.Heap, Stable: old.Stable}) // EOP keep
//	replace, _ := engine.Instantiate(newModule, &exec.State{Stable: old.Stable})             // replace
//
// (nil Heap or Globals = the new module's fresh ones).
package exec
