package replica_test

import (
	"crypto/sha256"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestIdleCanisterBurnsStorage: a canister nobody calls still pays for
// its storage as replica time passes, in whole seconds at
// idle_cycles_burned_per_day / 86 400 — what the registry's runway
// estimates build on.
func TestIdleCanisterBurnsStorage(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	first := status(t, a, id)
	perSecond := new(big.Int).Quo(first.IdleCyclesBurnedPerDay.BigInt(), big.NewInt(86_400))
	if perSecond.Sign() <= 0 {
		t.Fatalf("idle burn %s a day: nothing a second", first.IdleCyclesBurnedPerDay.BigInt())
	}
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for {
		st := status(t, a, id)
		drop := new(big.Int).Sub(first.Cycles.BigInt(), st.Cycles.BigInt())
		if drop.Sign() > 0 {
			// Reading the status runs nothing of the canister: every cycle
			// gone is storage, a whole number of seconds of it.
			seconds, rest := new(big.Int).QuoRem(drop, perSecond, new(big.Int))
			if rest.Sign() != 0 || seconds.Int64() < 1 || seconds.Int64() > int64(time.Since(start)/time.Second)+2 {
				t.Fatalf("%s cycles burned in %s: %s seconds at %s a second, %s left over", drop, time.Since(start), seconds, perSecond, rest)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no storage burned in %s (%s cycles a second)", time.Since(start), perSecond)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestChunkedInstallNeedsItsBudget: install_chunked_code into a canister
// whose balance above its freezing limit cannot cover the install's
// instruction budget is refused as the IC does (IC0207, the top-up it
// needs); canister_status reports the freezing threshold that caused it.
func TestChunkedInstallNeedsItsBudget(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := createWith(t, a, 200_000_000_000) // above the 120B prepayment while the threshold is 30 days
	err := a.CallWithEffectiveCanisterID(replicatest.Management, id, "upload_chunk",
		[]any{mgmt.UploadChunkArgs{CanisterID: id, Chunk: counterWasm}}, []any{&mgmt.ChunkHash{}})
	if err != nil {
		t.Fatal(err)
	}
	// A threshold of a century makes the freezing limit of the chunk
	// store alone exceed the balance.
	century := idl.NewNat(uint64(100 * 365 * 86_400))
	if err := a.Call(replicatest.Management, "update_settings",
		[]any{mgmt.UpdateSettingsArgs{CanisterID: id, Settings: mgmt.CanisterSettings{FreezingThreshold: &century}}}, []any{}); err != nil {
		t.Fatal(err)
	}
	st := status(t, a, id)
	if st.Settings.FreezingThreshold.BigInt().Cmp(century.BigInt()) != 0 {
		t.Fatalf("freezing_threshold = %s, want %s", st.Settings.FreezingThreshold.BigInt(), century.BigInt())
	}
	sum := sha256.Sum256(counterWasm)
	install := mgmt.InstallChunkedCodeArgs{Mode: replicatest.ModeInstall, TargetCanister: id,
		ChunkHashesList: []mgmt.ChunkHash{{Hash: sum[:]}}, WasmModuleHash: sum[:], Arg: []byte{}}
	err = a.CallWithEffectiveCanisterID(replicatest.Management, id, "install_chunked_code", []any{install}, []any{})
	if err == nil || !strings.Contains(err.Error(), "IC0207") || !strings.Contains(err.Error(), "is out of cycles: please top up the canister with at least") {
		t.Fatalf("install_chunked_code with a century's freezing limit: %v; want IC0207 out of cycles", err)
	}
	if after := status(t, a, id); after.ModuleHash != nil {
		t.Fatalf("a refused install left module %x", after.ModuleHash)
	}
	// Back to 30 days: the same install goes through.
	month := idl.NewNat(uint64(30 * 86_400))
	if err := a.Call(replicatest.Management, "update_settings",
		[]any{mgmt.UpdateSettingsArgs{CanisterID: id, Settings: mgmt.CanisterSettings{FreezingThreshold: &month}}}, []any{}); err != nil {
		t.Fatal(err)
	}
	if err := a.CallWithEffectiveCanisterID(replicatest.Management, id, "install_chunked_code", []any{install}, []any{}); err != nil {
		t.Fatalf("install_chunked_code with enough cycles: %v", err)
	}
}
