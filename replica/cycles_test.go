package replica_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// The IC's numbers for a 13-node application subnet: an install may run
// 300 billion instructions, at 4 cycles per 10, plus the 5 million base fee.
const (
	baseFee       = 5_000_000
	installLimit  = 300_000_000_000
	installPrepay = baseFee + installLimit*4/10 // 120_005_000_000
	updatePrepay  = baseFee + 40_000_000_000*4/10
)

func createWith(t *testing.T, a *agent.Agent, cycles uint64) principal.Principal {
	t.Helper()
	id, err := replicatest.CreateWith(a, cycles)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestInstallReservesItsInstructionBudget: an install into a canister that
// cannot reserve the fee for the install limit is refused with the IC's
// out-of-cycles error and the top-up it needs, and charges nothing; with
// enough cycles it goes through, and the balance drops by the fee of what
// ran, not by the reservation.
func TestInstallReservesItsInstructionBudget(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)

	poor := createWith(t, a, 10_000_000)
	err := replicatest.Install(a, poor, counterWasm, nil, replicatest.ModeInstall)
	want := "Canister installation failed with `Canister " + poor.String() +
		" is out of cycles: please top up the canister with at least 119995000000 additional cycles`."
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "IC0207") {
		t.Fatalf("install into 10M cycles: %v\nwant %q (IC0207)", err, want)
	}
	if st := status(t, a, poor); st.Cycles.BigInt().Uint64() != 10_000_000 || st.ModuleHash != nil {
		t.Fatalf("a refused install left %s cycles, module %x", st.Cycles.BigInt(), st.ModuleHash)
	}

	rich := createWith(t, a, 1_000_000_000_000)
	before := status(t, a, rich).Cycles.BigInt()
	if err := replicatest.Install(a, rich, counterWasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	st := status(t, a, rich)
	drop := new(big.Int).Sub(before, st.Cycles.BigInt())
	// One base fee and the instructions of start and init (some millions):
	// far from the 120 billion reserved while it ran.
	if drop.Cmp(big.NewInt(baseFee)) <= 0 || drop.Cmp(big.NewInt(1_000_000_000)) >= 0 {
		t.Fatalf("install cost %s cycles, want a little over the %d base fee", drop, baseFee)
	}
	if st.ReservedCycles.BigInt().Sign() != 0 {
		t.Fatalf("reserved_cycles = %s after the install settled", st.ReservedCycles.BigInt())
	}
	if st.IdleCyclesBurnedPerDay.BigInt().Sign() <= 0 {
		t.Fatalf("idle_cycles_burned_per_day = %s for a canister holding %s bytes", st.IdleCyclesBurnedPerDay.BigInt(), st.MemorySize.BigInt())
	}
	// 127 000 cycles per GiB per second, for a day.
	wantIdle := new(big.Int).Mul(st.MemorySize.BigInt(), big.NewInt(127_000))
	wantIdle.Rsh(wantIdle, 30).Mul(wantIdle, big.NewInt(86_400))
	if st.IdleCyclesBurnedPerDay.BigInt().Cmp(wantIdle) != 0 {
		t.Fatalf("idle_cycles_burned_per_day = %s, want %s for %s bytes", st.IdleCyclesBurnedPerDay.BigInt(), wantIdle, st.MemorySize.BigInt())
	}
}

// TestUpdateReservesItsInstructionBudget: while an update runs its
// canister sees its balance less the fee for the whole update limit; after
// it, only the fee of what ran is gone.
func TestUpdateReservesItsInstructionBudget(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := createWith(t, a, 1_000_000_000_000)
	if err := replicatest.Install(a, id, canisters.MustWasm("test/burner/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	before := status(t, a, id).Cycles.BigInt()
	var during idl.Nat
	if err := a.Call(id, "burn", []any{idl.NewNat(uint64(0))}, []any{&during}); err != nil {
		t.Fatal(err)
	}
	seen := new(big.Int).Sub(before, during.BigInt())
	if seen.Cmp(big.NewInt(updatePrepay)) < 0 {
		t.Fatalf("the canister saw %s of %s cycles while it ran: %s missing, want at least the %d reserved", during.BigInt(), before, seen, int64(updatePrepay))
	}
	after := status(t, a, id).Cycles.BigInt()
	spent := new(big.Int).Sub(before, after)
	// The ingress fee, one base fee and a few million instructions.
	if spent.Cmp(big.NewInt(baseFee)) <= 0 || spent.Cmp(big.NewInt(1_000_000_000)) >= 0 {
		t.Fatalf("the update cost %s cycles, want a little over the %d base fee", spent, baseFee)
	}
}

// idleBurnFor is the IC's idle burn for a day of bytes: 127 000 cycles per
// GiB per second.
func idleBurnFor(bytes *big.Int) *big.Int {
	b := new(big.Int).Mul(bytes, big.NewInt(127_000))
	return b.Rsh(b, 30).Mul(b, big.NewInt(86_400))
}

// TestSnapshotsAndChunksAreChargedAsStorage: a snapshot and the chunk
// store count in memory_size and in idle_cycles_burned_per_day.
func TestSnapshotsAndChunksAreChargedAsStorage(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	before := status(t, a, id)
	snap, err := takeSnapshot(a, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = a.CallWithEffectiveCanisterID(replicatest.Management, id, "upload_chunk",
		[]any{mgmt.UploadChunkArgs{CanisterID: id, Chunk: []byte("one chunk")}}, []any{&mgmt.ChunkHash{}})
	if err != nil {
		t.Fatal(err)
	}
	after := status(t, a, id)
	grown := new(big.Int).Sub(after.MemorySize.BigInt(), before.MemorySize.BigInt())
	if want := big.NewInt(int64(snap.TotalSize) + 1<<20); grown.Cmp(want) != 0 {
		t.Fatalf("memory_size grew by %s, want the snapshot's %d and 1 MiB for the chunk", grown, snap.TotalSize)
	}
	if got, want := after.IdleCyclesBurnedPerDay.BigInt(), idleBurnFor(after.MemorySize.BigInt()); got.Cmp(want) != 0 {
		t.Fatalf("idle_cycles_burned_per_day = %s, want %s for %s bytes", got, want, after.MemorySize.BigInt())
	}
}
