package replica_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/replica/state"
)

func takeSnapshot(a *agent.Agent, id principal.Principal, replace []byte) (mgmt.Snapshot, error) {
	var s mgmt.Snapshot
	args := mgmt.TakeCanisterSnapshotArgs{CanisterID: id}
	if replace != nil {
		args.ReplaceSnapshot = &replace
	}
	err := a.Call(replicatest.Management, "take_canister_snapshot", []any{args}, []any{&s})
	return s, err
}

func mustTakeSnapshot(t testing.TB, a *agent.Agent, id principal.Principal) mgmt.Snapshot {
	t.Helper()
	s, err := takeSnapshot(a, id, nil)
	if err != nil {
		t.Fatalf("take_canister_snapshot: %v", err)
	}
	return s
}

func loadSnapshot(a *agent.Agent, id principal.Principal, snap []byte) error {
	return a.Call(replicatest.Management, "load_canister_snapshot",
		[]any{mgmt.LoadCanisterSnapshotArgs{CanisterID: id, SnapshotID: snap}}, []any{})
}

func deleteSnapshot(a *agent.Agent, id principal.Principal, snap []byte) error {
	return a.Call(replicatest.Management, "delete_canister_snapshot",
		[]any{mgmt.DeleteCanisterSnapshotArgs{CanisterID: id, SnapshotID: snap}}, []any{})
}

func listSnapshots(a *agent.Agent, id principal.Principal) ([]mgmt.Snapshot, error) {
	var out []mgmt.Snapshot
	err := a.Call(replicatest.Management, "list_canister_snapshots", []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&out})
	return out, err
}

func snapshotIDs(t testing.TB, a *agent.Agent, id principal.Principal) [][]byte {
	t.Helper()
	list, err := listSnapshots(a, id)
	if err != nil {
		t.Fatalf("list_canister_snapshots: %v", err)
	}
	ids := make([][]byte, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}

func wantRejected(t testing.TB, what string, err error, code string, words string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), words) {
		t.Fatalf("%s: err = %v; want %s mentioning %q", what, err, code, words)
	}
}

// TestSnapshotTakeAndLoad: a snapshot brings the counter back to what it
// was, the IC's way: id layout, unchanged version on take, a bumped one on
// load, snapshots counted in canister_status.
func TestSnapshotTakeAndLoad(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	inc(t, a, id)
	before := status(t, a, id)

	start := uint64(time.Now().Add(-time.Minute).UnixNano())
	snap := mustTakeSnapshot(t, a, id)
	if want := append(binary.BigEndian.AppendUint64(nil, 0), id.Raw...); !bytes.Equal(snap.ID, want) {
		t.Fatalf("snapshot id = %x, want counter 0 then the canister id: %x", snap.ID, want)
	}
	if snap.TakenAtTimestamp < start || snap.TotalSize < uint64(len(counterWasm)) {
		t.Fatalf("snapshot = %+v; want a recent timestamp and a size that counts the module", snap)
	}
	afterTake := status(t, a, id)
	if afterTake.Version != before.Version {
		t.Fatalf("taking a snapshot changed the version %d → %d", before.Version, afterTake.Version)
	}
	if got := afterTake.MemoryMetrics.SnapshotsSize.BigInt().Uint64(); got != snap.TotalSize {
		t.Fatalf("snapshots_size = %d, want %d", got, snap.TotalSize)
	}
	if got, was := afterTake.MemorySize.BigInt().Uint64(), before.MemorySize.BigInt().Uint64(); got != was+snap.TotalSize {
		t.Fatalf("memory_size = %d, want %d + the snapshot's %d", got, was, snap.TotalSize)
	}

	for range 3 {
		inc(t, a, id)
	}
	if err := loadSnapshot(a, id, snap.ID); err != nil {
		t.Fatalf("load_canister_snapshot: %v", err)
	}
	if got := get(t, a, id); got != 2 {
		t.Fatalf("after load get = %d, want 2", got)
	}
	if v := status(t, a, id).Version; v <= afterTake.Version+3 {
		t.Fatalf("version after 3 incs and a load = %d, want > %d", v, afterTake.Version+3)
	}
	if got := inc(t, a, id); got != 3 {
		t.Fatalf("inc after load = %d, want 3", got)
	}
	// The snapshot is unchanged by what ran after loading it.
	if err := loadSnapshot(a, id, snap.ID); err != nil || get(t, a, id) != 2 {
		t.Fatalf("second load: err %v, get %d; want 2", err, get(t, a, id))
	}
}

// TestSnapshotSurvivesRestart: snapshots and loads are durable, and a load
// is recorded in the canister's history.
func TestSnapshotSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	me, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	a := r.Agent(t, me)
	id := installCounter(t, a)
	for range 4 {
		inc(t, a, id)
	}
	snap := mustTakeSnapshot(t, a, id)
	inc(t, a, id)
	r.Stop()

	r = replicatest.Start(t, replica.Config{StateDir: dir})
	a = r.Agent(t, me)
	list, err := listSnapshots(a, id)
	if err != nil || len(list) != 1 || !cmp.Equal(list[0], snap) {
		t.Fatalf("snapshots after restart = %+v, %v; want [%+v]", list, err, snap)
	}
	if got := get(t, a, id); got != 5 {
		t.Fatalf("get after restart = %d, want 5", got)
	}
	if err := loadSnapshot(a, id, snap.ID); err != nil {
		t.Fatalf("load after restart: %v", err)
	}
	if got := get(t, a, id); got != 4 {
		t.Fatalf("get after load = %d, want 4", got)
	}
	r.Stop()

	rec := storedCanister(t, dir, id)
	last := rec.History[len(rec.History)-1]
	if last.Kind != "load_snapshot" || !bytes.Equal(last.SnapshotID, snap.ID) || last.SnapshotTakenAt != snap.TakenAtTimestamp || last.CanisterVersion != rec.Version {
		t.Fatalf("last history entry = %+v (canister version %d); want load_snapshot of %x", last, rec.Version, snap.ID)
	}

	r = replicatest.Start(t, replica.Config{StateDir: dir})
	a = r.Agent(t, me)
	if got := get(t, a, id); got != 4 {
		t.Fatalf("get after the loaded state restarted = %d, want 4", got)
	}
	if got := inc(t, a, id); got != 5 {
		t.Fatalf("inc after restart = %d, want 5", got)
	}
}

// storedCanister reads a canister's record from a stopped replica's state.
func storedCanister(t *testing.T, dir string, id principal.Principal) *state.Canister {
	t.Helper()
	s, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs, err := s.Canisters()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if bytes.Equal(rec.ID, id.Raw) {
			return rec
		}
	}
	t.Fatalf("canister %s is not in the state", id)
	return nil
}

func moduleHashOf(wasm []byte) []byte {
	h := sha256.Sum256(wasm)
	return h[:]
}

func TestSnapshotListAndDelete(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	if ids := snapshotIDs(t, a, id); len(ids) != 0 {
		t.Fatalf("fresh canister lists %x", ids)
	}
	first := mustTakeSnapshot(t, a, id)
	inc(t, a, id)
	second := mustTakeSnapshot(t, a, id)
	if ids := snapshotIDs(t, a, id); len(ids) != 2 || !bytes.Equal(ids[0], first.ID) || !bytes.Equal(ids[1], second.ID) {
		t.Fatalf("list = %x, want [%x %x]", ids, first.ID, second.ID)
	}
	if err := deleteSnapshot(a, id, first.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if ids := snapshotIDs(t, a, id); len(ids) != 1 || !bytes.Equal(ids[0], second.ID) {
		t.Fatalf("list after delete = %x, want [%x]", ids, second.ID)
	}
	wantRejected(t, "delete it again", deleteSnapshot(a, id, first.ID), "IC0305", "Could not find the snapshot ID")
	wantRejected(t, "load a deleted snapshot", loadSnapshot(a, id, first.ID), "IC0305", "Could not find the snapshot ID")
	wantRejected(t, "load a malformed id", loadSnapshot(a, id, []byte{1, 2}), "IC0305", "Could not find the snapshot ID")
	if st := status(t, a, id); st.MemoryMetrics.SnapshotsSize.BigInt().Uint64() != second.TotalSize {
		t.Fatalf("snapshots_size after delete = %s, want %d", st.MemoryMetrics.SnapshotsSize.BigInt(), second.TotalSize)
	}
	// A new snapshot never reuses a deleted one's id.
	third := mustTakeSnapshot(t, a, id)
	if bytes.Equal(third.ID, first.ID) || bytes.Equal(third.ID, second.ID) {
		t.Fatalf("new snapshot id %x reuses an old one", third.ID)
	}
}

// TestSnapshotLimitAndReplace: ten snapshots, then only replace_snapshot.
func TestSnapshotLimitAndReplace(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	var ids [][]byte
	for range 10 {
		ids = append(ids, mustTakeSnapshot(t, a, id).ID)
	}
	_, err := takeSnapshot(a, id, nil)
	wantRejected(t, "11th snapshot", err, "IC0406", "maximum number of snapshots allowed: 10")

	_, err = takeSnapshot(a, id, []byte("no such snapshot"))
	wantRejected(t, "replace a missing snapshot", err, "IC0305", "Could not find the snapshot ID")

	inc(t, a, id)
	repl, err := takeSnapshot(a, id, ids[3])
	if err != nil {
		t.Fatalf("take with replace_snapshot: %v", err)
	}
	got := snapshotIDs(t, a, id)
	want := append(append(append([][]byte{}, ids[:3]...), ids[4:]...), repl.ID)
	if fmt.Sprintf("%x", got) != fmt.Sprintf("%x", want) {
		t.Fatalf("after replace list = %x, want %x", got, want)
	}
	wantRejected(t, "load the replaced snapshot", loadSnapshot(a, id, ids[3]), "IC0305", "Could not find the snapshot ID")
	inc(t, a, id)
	if err := loadSnapshot(a, id, repl.ID); err != nil || get(t, a, id) != 1 {
		t.Fatalf("load the replacement: err %v, get %d; want 1", err, get(t, a, id))
	}
}

// TestSnapshotRefusals: who may not, and what may not be snapshotted or
// loaded.
func TestSnapshotRefusals(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	snap := mustTakeSnapshot(t, a, id)

	stranger := r.Agent(t, nil)
	_, err := takeSnapshot(stranger, id, nil)
	wantRejected(t, "take by a non-controller", err, "IC0512", "Only controllers")
	wantRejected(t, "load by a non-controller", loadSnapshot(stranger, id, snap.ID), "IC0512", "Only controllers")
	wantRejected(t, "delete by a non-controller", deleteSnapshot(stranger, id, snap.ID), "IC0512", "Only controllers")
	_, err = listSnapshots(stranger, id)
	wantRejected(t, "list by a non-controller", err, "IC0512", "Only controllers")

	other := installCounter(t, a)
	wantRejected(t, "load onto another canister", loadSnapshot(a, other, snap.ID), "IC0406", "does not belong to canister")
	wantRejected(t, "delete through another canister", deleteSnapshot(a, other, snap.ID), "IC0406", "does not belong to canister")
	_, err = takeSnapshot(a, other, snap.ID)
	wantRejected(t, "replace another canister's snapshot", err, "IC0406", "does not belong to canister")

	empty := replicatest.CreateCanister(t, a)
	_, err = takeSnapshot(a, empty, nil)
	wantRejected(t, "snapshot of an empty canister", err, "IC0406", "empty canister")
	if ids := snapshotIDs(t, a, id); len(ids) != 1 {
		t.Fatalf("refused calls changed the snapshots: %x", ids)
	}
}

// TestSnapshotOutlivesUninstallNotDelete: on the IC snapshots survive
// uninstall_code (and bring the code back) but go with delete_canister.
func TestSnapshotOutlivesUninstallNotDelete(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	inc(t, a, id)
	snap := mustTakeSnapshot(t, a, id)
	call := func(method string) {
		t.Helper()
		if err := a.Call(replicatest.Management, method, []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{}); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	call("uninstall_code")
	if err := loadSnapshot(a, id, snap.ID); err != nil {
		t.Fatalf("load after uninstall: %v", err)
	}
	if got := get(t, a, id); got != 1 {
		t.Fatalf("get after loading onto the uninstalled canister = %d, want 1", got)
	}
	if h, err := a.GetCanisterModuleHash(id); err != nil || !bytes.Equal(h, moduleHashOf(counterWasm)) {
		t.Fatalf("certified module_hash after load = %x, %v", h, err)
	}

	call("stop_canister")
	call("delete_canister")
	r.Stop()
	s, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if snaps, err := s.Snapshots(); err != nil || len(snaps) != 0 {
		t.Fatalf("snapshots of a deleted canister in the state: %d, %v", len(snaps), err)
	}
}

// bigCanister is a wasm32 canister with 100 MiB of heap (1600 wasm pages)
// whose canister_init writes a byte every STRIDE bytes, so that the heap
// is not all zero pages. "bump" counts in byte 0; "read" replies it.
const bigCanister = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (memory 1600)
  (func (export "canister_init")
    (local $a i32)
    (loop $fill
      (i32.store8 (local.get $a) (i32.const 1))
      (local.set $a (i32.add (local.get $a) (i32.const STRIDE)))
      (br_if $fill (i32.lt_u (local.get $a) (i32.const 104857600)))))
  (func (export "canister_update bump")
    (i32.store8 (i32.const 0) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1)))
    (call $reply))
  (func (export "canister_query read")
    (call $append (i32.const 0) (i32.const 1))
    (call $reply)))`

func installBig(b *testing.B, a *agent.Agent, stride int) principal.Principal {
	b.Helper()
	id := replicatest.CreateCanister(b, a)
	wasm := watModule(b, strings.Replace(bigCanister, "STRIDE", fmt.Sprint(stride), 1))
	if err := replicatest.Install(a, id, wasm, nil, replicatest.ModeInstall); err != nil {
		b.Fatalf("install: %v", err)
	}
	return id
}

func readByte(b *testing.B, a *agent.Agent, id principal.Principal) byte {
	b.Helper()
	got, err := a.QueryRaw(id, "read", []byte{})
	if err != nil || len(got) != 1 {
		b.Fatalf("read = %v, %v", got, err)
	}
	return got[0]
}

// BenchmarkSnapshot100MiB times take_canister_snapshot and
// load_canister_snapshot of a canister with 100 MiB of heap, end to end
// through agent-go (each is one durable round). "sparse" writes a byte
// into each 64 KiB wasm page (1600 non-zero 4 KiB pages are stored),
// "dense" into each 4 KiB page (all 100 MiB are stored).
func BenchmarkSnapshot100MiB(b *testing.B) {
	for _, tc := range []struct {
		name   string
		stride int
	}{{"sparse", 64 << 10}, {"dense", 4 << 10}} {
		b.Run(tc.name+"/take", func(b *testing.B) {
			r := replicatest.Start(b, replica.Config{})
			a := r.Agent(b, nil)
			id := installBig(b, a, tc.stride)
			for b.Loop() {
				snap := mustTakeSnapshot(b, a, id)
				b.StopTimer()
				if err := deleteSnapshot(a, id, snap.ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			reportMS(b)
		})
		b.Run(tc.name+"/load", func(b *testing.B) {
			r := replicatest.Start(b, replica.Config{})
			a := r.Agent(b, nil)
			id := installBig(b, a, tc.stride)
			snap := mustTakeSnapshot(b, a, id)
			for b.Loop() {
				b.StopTimer()
				if _, err := a.CallRaw(id, "bump", []byte{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := loadSnapshot(a, id, snap.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got := readByte(b, a, id); got != 1 {
				b.Fatalf("byte 0 after load = %d, want the snapshot's 1", got)
			}
			reportMS(b)
		})
	}
}

func reportMS(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// TestSnapshotRestoresStableMemoryAndGlobals: a wasm32 canister's heap,
// mutable global and stable memory all come back from a snapshot.
func TestSnapshotRestoresStableMemoryAndGlobals(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, watModule(t, stableCanister), nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install: %v", err)
	}
	bump := func(times int) {
		t.Helper()
		for range times {
			if _, err := a.CallRaw(id, "bump", []byte{}); err != nil {
				t.Fatalf("bump: %v", err)
			}
		}
	}
	bump(2)
	snap := mustTakeSnapshot(t, a, id)
	bump(3)
	if err := loadSnapshot(a, id, snap.ID); err != nil {
		t.Fatalf("load: %v", err)
	}
	want := make([]byte, 12)
	for i := range 3 {
		binary.LittleEndian.PutUint32(want[4*i:], 2)
	}
	if got, err := a.QueryRaw(id, "read", []byte{}); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read after load = %v, %v; want heap=global=stable=2 %v", got, err, want)
	}
}
