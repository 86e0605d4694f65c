package replica

import (
	"crypto/rand"
	"log/slog"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/state"
)

// byteCounter counts bumps in a byte of its second wasm page and also
// makes the count its certified data and (far in the future) its timer.
//
// Through the HTTP interface a take and a load rarely fall into one round;
// these tests drive rounds directly so that the in-round paths (a snapshot
// still in the batch, taken and deleted before it was ever written) are
// certain to run.

const byteCounter = `(module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "certified_data_set" (func $certify (param i32 i32)))
  (import "ic0" "global_timer_set" (func $timer (param i64) (result i64)))
  (memory 2)
  (func (export "canister_update bump")
    (i32.store8 (i32.const 70000) (i32.add (i32.load8_u (i32.const 70000)) (i32.const 1)))
    (call $certify (i32.const 70000) (i32.const 1))
    (drop (call $timer (i64.add (i64.const 0x4000000000000000) (i64.load8_u (i32.const 70000)))))
    (call $reply))
  (func (export "canister_global_timer"))
  (func (export "canister_query read")
    (call $append (i32.const 70000) (i32.const 1))
    (call $reply)))`

var roundCaller = principal.Principal{Raw: []byte{9, 9, 9}}

func openTestReplica(t *testing.T, dir string) *Replica {
	t.Helper()
	r, err := Open(Config{StateDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// commitRound makes a round's batch durable, as the scheduler does.
func commitRound(t *testing.T, rd *round) {
	t.Helper()
	rd.finish()
	if err := rd.r.store.Commit(&rd.batch); err != nil {
		t.Fatal(err)
	}
}

// callIn executes an update within rd as an ingress message would, and
// returns its outcome.
func callIn(t *testing.T, rd *round, id principal.Principal, method string) *state.Ingress {
	t.Helper()
	var rid [32]byte
	if _, err := rand.Read(rid[:]); err != nil {
		t.Fatal(err)
	}
	e := &ingressEntry{id: rid, done: make(chan struct{})}
	rd.r.mu.Lock()
	rd.r.ingress[rid] = e
	rd.r.mu.Unlock()
	rd.executeCall(id, roundCaller, method, []byte{}, state.Origin{Kind: originIngress, Ingress: rid[:]}, cycles.Amount{}, 0)
	if e.outcome == nil {
		t.Fatalf("%s: no answer within the round", method)
	}
	return e.outcome
}

func bumpIn(t *testing.T, rd *round, id principal.Principal, times int) {
	t.Helper()
	for range times {
		if out := callIn(t, rd, id, "bump"); out.Status != statusReplied {
			t.Fatalf("bump: %+v", out)
		}
	}
}

func readIn(t *testing.T, rd *round, id principal.Principal) byte {
	t.Helper()
	out := callIn(t, rd, id, "read")
	if out.Status != statusReplied || len(out.Reply) != 1 {
		t.Fatalf("read = %+v", out)
	}
	return out.Reply[0]
}

func TestSnapshotTakeAndLoadInOneRound(t *testing.T) {
	dir := t.TempDir()
	r := openTestReplica(t, dir)
	wasm, err := wasmtime.Wat2Wasm(byteCounter)
	if err != nil {
		t.Fatal(err)
	}
	rd := newRound(r)
	id, err := rd.ProvisionalCreateCanister(roundCaller, mgmt.ProvisionalCreateArgs{})
	if err != nil {
		t.Fatal(err)
	}
	null := idl.Null{}
	if err := rd.InstallCode(roundCaller, mgmt.InstallCodeArgs{Mode: mgmt.InstallMode{Install: &null}, CanisterID: id, WasmModule: wasm}); err != nil {
		t.Fatal(err)
	}
	bumpIn(t, rd, id, 2)
	snap, err := rd.TakeCanisterSnapshot(roundCaller, mgmt.TakeCanisterSnapshotArgs{CanisterID: id})
	if err != nil {
		t.Fatal(err)
	}
	bumpIn(t, rd, id, 3)
	if err := rd.LoadCanisterSnapshot(roundCaller, mgmt.LoadCanisterSnapshotArgs{CanisterID: id, SnapshotID: snap.ID}); err != nil {
		t.Fatalf("load a snapshot of this round: %v", err)
	}
	if got := readIn(t, rd, id); got != 2 {
		t.Fatalf("after loading in the same round read = %d, want 2", got)
	}
	if rec := r.lookup(id).rec; string(rec.CertifiedData) != "\x02" || rec.GlobalTimer != 1<<62+2 {
		t.Fatalf("after load certified data = %x, timer = %#x; want the snapshot's 02 and 1<<62+2", rec.CertifiedData, rec.GlobalTimer)
	}
	gone, err := rd.TakeCanisterSnapshot(roundCaller, mgmt.TakeCanisterSnapshotArgs{CanisterID: id})
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.DeleteCanisterSnapshot(mgmt.DeleteCanisterSnapshotArgs{CanisterID: id, SnapshotID: gone.ID}); err != nil {
		t.Fatal(err)
	}
	if len(rd.batch.Snapshots) != 1 || len(rd.batch.DeletedSnapshots) != 0 {
		t.Fatalf("batch writes %d snapshots and deletes %d; want the kept one written, nothing to delete",
			len(rd.batch.Snapshots), len(rd.batch.DeletedSnapshots))
	}
	bumpIn(t, rd, id, 1)
	commitRound(t, rd)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	r = openTestReplica(t, dir)
	defer r.Close()
	rd = newRound(r)
	list, err := rd.ListCanisterSnapshots(id)
	if err != nil || len(list) != 1 || string(list[0].ID) != string(snap.ID) {
		t.Fatalf("after restart list = %+v, %v; want only %x", list, err, snap.ID)
	}
	if got := readIn(t, rd, id); got != 3 {
		t.Fatalf("after restart read = %d, want 3", got)
	}
	if err := rd.LoadCanisterSnapshot(roundCaller, mgmt.LoadCanisterSnapshotArgs{CanisterID: id, SnapshotID: snap.ID}); err != nil {
		t.Fatalf("load from disk: %v", err)
	}
	if got := readIn(t, rd, id); got != 2 {
		t.Fatalf("after loading from disk read = %d, want 2", got)
	}
}
