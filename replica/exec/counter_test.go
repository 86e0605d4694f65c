package exec

import (
	"os"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/reject"
)

// emptyArgs is the Candid encoding of ().
var emptyArgs = []byte("DIDL\x00\x00")

var (
	testSelf   = []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}
	testSubnet = []byte{1, 2, 3}
	anonymous  = []byte{4}
)

func loadCounter(t testing.TB) []byte {
	t.Helper()
	wasm, err := os.ReadFile("testdata/counter.wasm")
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := NewEngine(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func invocation(kind Kind, method string, arg []byte) *Invocation {
	return &Invocation{
		Kind: kind, Method: method, Arg: arg, Caller: anonymous,
		Self: testSelf, Subnet: testSubnet, Time: 1_700_000_000_000_000_000,
		Balance: cycles.Of(1e12), Status: 1,
	}
}

// mustRun runs an invocation that must not trap.
func mustRun(t testing.TB, inst *Instance, inv *Invocation) *Result {
	t.Helper()
	res := inst.Run(inv)
	if res.Trap != nil {
		t.Fatalf("%s %s trapped: %v (logs %q)", inv.Kind, inv.Method, res.Trap, res.Logs)
	}
	return res
}

// installCounter instantiates the counter and runs start and init.
func installCounter(t testing.TB, e *Engine, m *Module) *Instance {
	t.Helper()
	inst, err := e.Instantiate(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, inst, invocation(KindStart, "", nil))
	mustRun(t, inst, invocation(KindInit, "", emptyArgs))
	inst.Commit()
	return inst
}

func decodeNat(t testing.TB, reply []byte) uint64 {
	t.Helper()
	var n idl.Nat
	if err := candid.Unmarshal(reply, []any{&n}); err != nil {
		t.Fatalf("decode reply %x: %v", reply, err)
	}
	return n.BigInt().Uint64()
}

func TestMotokoCounter(t *testing.T) {
	e := newTestEngine(t)
	m, err := e.Compile(loadCounter(t))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Is64 || !m.EOP || !m.Updates["inc"] || !m.Queries["get"] || !m.Has.Init || !m.Has.PostUpgrade {
		t.Fatalf("module description wrong: is64=%v eop=%v updates=%v queries=%v has=%+v", m.Is64, m.EOP, m.Updates, m.Queries, m.Has)
	}
	if svc := string(m.Metadata["candid:service"].Content); !strings.Contains(svc, "inc") {
		t.Fatalf("candid:service = %q", svc)
	}
	inst := installCounter(t, e, m)
	defer inst.Close()

	for want := uint64(1); want <= 3; want++ {
		res := mustRun(t, inst, invocation(KindUpdate, "inc", emptyArgs))
		if !res.Replied || decodeNat(t, res.Reply) != want {
			t.Fatalf("inc: replied=%v reply=%x, want %d", res.Replied, res.Reply, want)
		}
		inst.Commit()
	}

	before := inst.State()
	res := mustRun(t, inst, invocation(KindNonReplicatedQuery, "get", emptyArgs))
	if got := decodeNat(t, res.Reply); got != 3 {
		t.Fatalf("get = %d, want 3", got)
	}
	if err := inst.Rollback(); err != nil {
		t.Fatal(err)
	}
	assertSameState(t, before, inst.liveState())

	res = inst.Run(invocation(KindUpdate, "fail", emptyArgs))
	if res.Trap == nil || res.Trap.ErrorCode != reject.CanisterCalledTrap || !strings.Contains(res.Trap.Message, "boom") {
		t.Fatalf("fail: trap = %v", res.Trap)
	}
	if err := inst.Rollback(); err != nil {
		t.Fatal(err)
	}
	assertSameState(t, before, inst.liveState())
	if got := decodeNat(t, mustRun(t, inst, invocation(KindNonReplicatedQuery, "get", emptyArgs)).Reply); got != 3 {
		t.Fatalf("get after failed update = %d, want 3", got)
	}
	inst.Rollback()

	t.Run("restart from state", func(t *testing.T) {
		restarted, err := e.Instantiate(m, inst.State())
		if err != nil {
			t.Fatal(err)
		}
		defer restarted.Close()
		if got := decodeNat(t, mustRun(t, restarted, invocation(KindNonReplicatedQuery, "get", emptyArgs)).Reply); got != 3 {
			t.Fatalf("get after restart = %d, want 3", got)
		}
		restarted.Rollback()
		res := mustRun(t, restarted, invocation(KindUpdate, "inc", emptyArgs))
		if got := decodeNat(t, res.Reply); got != 4 {
			t.Fatalf("inc after restart = %d, want 4", got)
		}
	})

	t.Run("EOP upgrade keeps count", func(t *testing.T) {
		// The lead's upgrade path: pre_upgrade on the old instance, then
		// a new instance with the old heap and stable memory but fresh
		// globals, then start and post_upgrade.
		mustRun(t, inst, invocation(KindPreUpgrade, "", nil))
		inst.Commit()
		old := inst.State()
		v2, err := os.ReadFile("testdata/counter_v2.wasm")
		if err != nil {
			t.Fatal(err)
		}
		newModule, err := e.Compile(v2)
		if err != nil {
			t.Fatal(err)
		}
		if !newModule.Queries["version"] {
			t.Fatal("counter_v2 has no version query")
		}
		up, err := e.Instantiate(newModule, &State{Heap: old.Heap, Stable: old.Stable})
		if err != nil {
			t.Fatal(err)
		}
		defer up.Close()
		mustRun(t, up, invocation(KindStart, "", nil))
		mustRun(t, up, invocation(KindPostUpgrade, "", emptyArgs))
		up.Commit()
		if got := decodeNat(t, mustRun(t, up, invocation(KindNonReplicatedQuery, "get", emptyArgs)).Reply); got != 3 {
			t.Fatalf("get after upgrade = %d, want 3", got)
		}
		up.Rollback()
		if got := decodeNat(t, mustRun(t, up, invocation(KindNonReplicatedQuery, "version", emptyArgs)).Reply); got != 2 {
			t.Fatalf("version after upgrade = %d, want 2", got)
		}
		up.Rollback()
		if got := decodeNat(t, mustRun(t, up, invocation(KindUpdate, "inc", emptyArgs)).Reply); got != 4 {
			t.Fatalf("inc after upgrade = %d, want 4", got)
		}

		// Without the kept heap (a reinstall) the count starts over: the
		// upgrade above really carried the state.
		fresh := installCounter(t, e, newModule)
		defer fresh.Close()
		if got := decodeNat(t, mustRun(t, fresh, invocation(KindNonReplicatedQuery, "get", emptyArgs)).Reply); got != 0 {
			t.Fatalf("get after reinstall = %d, want 0", got)
		}
	})
}

func assertSameState(t testing.TB, want, got *State) {
	t.Helper()
	if len(want.Heap) != len(got.Heap) || string(want.Heap) != string(got.Heap) {
		t.Fatalf("heap differs (len %d vs %d)", len(want.Heap), len(got.Heap))
	}
	if string(want.Stable) != string(got.Stable) {
		t.Fatalf("stable memory differs (len %d vs %d)", len(want.Stable), len(got.Stable))
	}
	if len(want.Globals) != len(got.Globals) {
		t.Fatalf("globals: %d vs %d", len(want.Globals), len(got.Globals))
	}
	for i := range want.Globals {
		if want.Globals[i] != got.Globals[i] {
			t.Fatalf("global %d: %+v vs %+v", i, want.Globals[i], got.Globals[i])
		}
	}
}
