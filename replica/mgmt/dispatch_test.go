package mgmt

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/reject"
)

// recorder is a Manager that records which method it ran, on which target,
// and answers with fixed values, or fail for every method when set.
type recorder struct {
	called    string
	caller    principal.Principal
	canister  principal.Principal
	snapshots []Snapshot
	fail      error
}

var (
	testCaller = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	testTarget = principal.MustDecode("ryjl3-tyaaa-aaaaa-aaaba-cai")
)

func (r *recorder) note(method string, caller, canister principal.Principal) error {
	r.called, r.caller, r.canister = method, caller, canister
	return r.fail
}

func (r *recorder) ProvisionalCreateCanister(c principal.Principal, _ ProvisionalCreateArgs) (principal.Principal, error) {
	return testTarget, r.note("ProvisionalCreateCanister", c, principal.Principal{})
}
func (r *recorder) CreateCanister(c principal.Principal, _ CreateCanisterArgs) (principal.Principal, error) {
	return testTarget, r.note("CreateCanister", c, principal.Principal{})
}
func (r *recorder) DepositCycles(id principal.Principal) error {
	return r.note("DepositCycles", principal.Principal{}, id)
}
func (r *recorder) RawRand() ([]byte, error) {
	return []byte{1, 2, 3}, r.note("RawRand", principal.Principal{}, principal.Principal{})
}
func (r *recorder) ProvisionalTopUpCanister(a ProvisionalTopUpArgs) error {
	return r.note("ProvisionalTopUpCanister", principal.Principal{}, a.CanisterID)
}
func (r *recorder) InstallCode(c principal.Principal, a InstallCodeArgs) error {
	return r.note("InstallCode", c, a.CanisterID)
}
func (r *recorder) UninstallCode(c principal.Principal, a UninstallCodeArgs) error {
	return r.note("UninstallCode", c, a.CanisterID)
}
func (r *recorder) UpdateSettings(c principal.Principal, a UpdateSettingsArgs) error {
	return r.note("UpdateSettings", c, a.CanisterID)
}
func (r *recorder) CanisterStatus(id principal.Principal) (*CanisterStatusResult, error) {
	return testStatus(), r.note("CanisterStatus", principal.Principal{}, id)
}
func (r *recorder) StartCanister(id principal.Principal) error {
	return r.note("StartCanister", principal.Principal{}, id)
}
func (r *recorder) StopCanister(id principal.Principal) error {
	return r.note("StopCanister", principal.Principal{}, id)
}
func (r *recorder) DeleteCanister(id principal.Principal) error {
	return r.note("DeleteCanister", principal.Principal{}, id)
}
func (r *recorder) TakeCanisterSnapshot(c principal.Principal, a TakeCanisterSnapshotArgs) (*Snapshot, error) {
	return &Snapshot{ID: []byte{9}, TakenAtTimestamp: 5, TotalSize: 6}, r.note("TakeCanisterSnapshot", c, a.CanisterID)
}
func (r *recorder) LoadCanisterSnapshot(c principal.Principal, a LoadCanisterSnapshotArgs) error {
	return r.note("LoadCanisterSnapshot", c, a.CanisterID)
}
func (r *recorder) ListCanisterSnapshots(id principal.Principal) ([]Snapshot, error) {
	return r.snapshots, r.note("ListCanisterSnapshots", principal.Principal{}, id)
}
func (r *recorder) DeleteCanisterSnapshot(a DeleteCanisterSnapshotArgs) error {
	return r.note("DeleteCanisterSnapshot", principal.Principal{}, a.CanisterID)
}
func (r *recorder) UploadChunk(a UploadChunkArgs) (*ChunkHash, error) {
	return &ChunkHash{Hash: []byte{7}}, r.note("UploadChunk", principal.Principal{}, a.CanisterID)
}
func (r *recorder) StoredChunks(id principal.Principal) ([]ChunkHash, error) {
	return nil, r.note("StoredChunks", principal.Principal{}, id)
}
func (r *recorder) ClearChunkStore(id principal.Principal) error {
	return r.note("ClearChunkStore", principal.Principal{}, id)
}
func (r *recorder) InstallChunkedCode(c principal.Principal, a InstallChunkedCodeArgs) error {
	return r.note("InstallChunkedCode", c, a.TargetCanister)
}
func (r *recorder) CanisterInfo(a CanisterInfoArgs) (*CanisterInfoResult, error) {
	return &CanisterInfoResult{TotalNumChanges: 3}, r.note("CanisterInfo", principal.Principal{}, a.CanisterID)
}

// testStatus is a status record that encodes: every variant chosen.
func testStatus() *CanisterStatusResult {
	return &CanisterStatusResult{
		Status:   RunStatus{Running: new(idl.Null)},
		Version:  7,
		Settings: DefiniteCanisterSettings{LogVisibility: LogVisibility{Public: new(idl.Null)}},
	}
}

func mustEncode(t *testing.T, vs ...any) []byte {
	t.Helper()
	b, err := candid.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dispatchCase is one method: its argument, the manager method it must run
// (with the caller passed on or not, on which canister) and the reply.
type dispatchCase struct {
	method, runs     string
	arg              any // nil: an empty argument list
	caller, canister bool
	reply            []any
}

func dispatchCases() []dispatchCase {
	target := CanisterIDArg{CanisterID: testTarget}
	created := []any{CanisterIDResult{CanisterID: testTarget}}
	snap := Snapshot{ID: []byte{9}, TakenAtTimestamp: 5, TotalSize: 6}
	return []dispatchCase{
		{"provisional_create_canister_with_cycles", "ProvisionalCreateCanister", ProvisionalCreateArgs{}, true, false, created},
		{"create_canister", "CreateCanister", CreateCanisterArgs{}, true, false, created},
		{"deposit_cycles", "DepositCycles", target, false, true, nil},
		{"raw_rand", "RawRand", nil, false, false, []any{[]byte{1, 2, 3}}},
		{"provisional_top_up_canister", "ProvisionalTopUpCanister", ProvisionalTopUpArgs{CanisterID: testTarget, Amount: idl.NewNat(uint(5))}, false, true, nil},
		{"install_code", "InstallCode", InstallCodeArgs{Mode: InstallMode{Install: new(idl.Null)}, CanisterID: testTarget, WasmModule: []byte{}, Arg: []byte{}}, true, true, nil},
		{"uninstall_code", "UninstallCode", UninstallCodeArgs{CanisterID: testTarget}, true, true, nil},
		{"update_settings", "UpdateSettings", UpdateSettingsArgs{CanisterID: testTarget}, true, true, nil},
		{"canister_status", "CanisterStatus", target, false, true, []any{*testStatus()}},
		{"start_canister", "StartCanister", target, false, true, nil},
		{"stop_canister", "StopCanister", target, false, true, nil},
		{"delete_canister", "DeleteCanister", target, false, true, nil},
		{"take_canister_snapshot", "TakeCanisterSnapshot", TakeCanisterSnapshotArgs{CanisterID: testTarget}, true, true, []any{snap}},
		{"load_canister_snapshot", "LoadCanisterSnapshot", LoadCanisterSnapshotArgs{CanisterID: testTarget, SnapshotID: []byte{9}}, true, true, nil},
		{"list_canister_snapshots", "ListCanisterSnapshots", target, false, true, []any{[]Snapshot{}}},
		{"delete_canister_snapshot", "DeleteCanisterSnapshot", DeleteCanisterSnapshotArgs{CanisterID: testTarget, SnapshotID: []byte{9}}, false, true, nil},
		{"upload_chunk", "UploadChunk", UploadChunkArgs{CanisterID: testTarget, Chunk: []byte{1}}, false, true, []any{ChunkHash{Hash: []byte{7}}}},
		{"stored_chunks", "StoredChunks", target, false, true, []any{[]ChunkHash{}}},
		{"clear_chunk_store", "ClearChunkStore", target, false, true, nil},
		{"install_chunked_code", "InstallChunkedCode", InstallChunkedCodeArgs{Mode: InstallMode{Install: new(idl.Null)}, TargetCanister: testTarget,
			ChunkHashesList: []ChunkHash{}, WasmModuleHash: []byte{}, Arg: []byte{}}, true, true, nil},
		{"canister_info", "CanisterInfo", CanisterInfoArgs{CanisterID: testTarget}, false, true,
			[]any{CanisterInfoResult{TotalNumChanges: 3, RecentChanges: []Change{}, Controllers: []principal.Principal{}}}},
	}
}

// Every method served decodes its argument, runs its manager method with the
// caller and target it needs, and encodes the manager's answer.
func TestDispatchRunsEveryMethod(t *testing.T) {
	cases := dispatchCases()
	updates := 0
	for _, m := range methods {
		if !m.Query {
			updates++
		}
	}
	if len(cases) != updates {
		t.Fatalf("%d cases for %d methods", len(cases), updates)
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			arg := mustEncode(t)
			if c.arg != nil {
				arg = mustEncode(t, c.arg)
			}
			r := &recorder{}
			got, err := Dispatch(r, testCaller, c.method, arg)
			if err != nil {
				t.Fatal(err)
			}
			if r.called != c.runs {
				t.Fatalf("ran %q, want %q", r.called, c.runs)
			}
			if c.caller != r.caller.Equal(testCaller) || c.canister != r.canister.Equal(testTarget) {
				t.Fatalf("caller %s canister %s passed on, want caller %v canister %v", r.caller, r.canister, c.caller, c.canister)
			}
			if want := mustEncode(t, c.reply...); !bytes.Equal(got, want) {
				t.Fatalf("reply %x, want %x", got, want)
			}
		})
	}
}

// A manager's error comes back as it is, whatever the method.
func TestDispatchReturnsManagerErrors(t *testing.T) {
	failure := reject.New(reject.CanisterNotFound, "Canister %s not found", testTarget)
	for _, c := range dispatchCases() {
		arg := mustEncode(t)
		if c.arg != nil {
			arg = mustEncode(t, c.arg)
		}
		reply, err := Dispatch(&recorder{fail: failure}, testCaller, c.method, arg)
		if !errors.Is(err, failure) || reply != nil {
			t.Errorf("%s: reply %x, error %v; want the manager's error", c.method, reply, err)
		}
	}
}

func TestDispatchRejectsUnknownMethod(t *testing.T) {
	_, err := Dispatch(&recorder{}, testCaller, "http_request", mustEncode(t))
	wantReject(t, err, reject.UnknownManagementMessage, "Management canister has no method 'http_request'")
}

// A payload that does not decode is InvalidManagementPayload, never a call
// of the manager, for every method that reads its argument.
func TestDispatchRejectsBadPayload(t *testing.T) {
	for _, c := range dispatchCases() {
		if c.arg == nil {
			continue
		}
		r := &recorder{}
		_, err := Dispatch(r, testCaller, c.method, []byte("DIDL garbage"))
		wantReject(t, err, reject.InvalidManagementPayload, fmt.Sprintf("Error decoding candid for method %s: ", c.method))
		if r.called != "" {
			t.Errorf("%s: ran %s on a bad payload", c.method, r.called)
		}
	}
}

// raw_rand reads no argument, so any payload is fine.
func TestDispatchRawRandIgnoresArgument(t *testing.T) {
	if _, err := Dispatch(&recorder{}, testCaller, "raw_rand", []byte("not candid")); err != nil {
		t.Fatal(err)
	}
}

// wantReject checks the error code and the start of the message.
func wantReject(t *testing.T, err error, code reject.ErrorCode, prefix string) {
	t.Helper()
	var rej *reject.Error
	if !errors.As(err, &rej) {
		t.Fatalf("error %v is not a reject", err)
	}
	if rej.ErrorCode != code || !strings.HasPrefix(rej.Message, prefix) {
		t.Fatalf("reject %v %q, want %v %q…", rej.ErrorCode, rej.Message, code, prefix)
	}
}

func (r *recorder) FetchCanisterLogs(c, id principal.Principal) (*FetchCanisterLogsResult, error) {
	return &FetchCanisterLogsResult{Records: []CanisterLogRecord{{Idx: 4, TimestampNanos: 5, Content: []byte("hi")}}},
		r.note("FetchCanisterLogs", c, id)
}

// fetch_canister_logs is a query for the canister the effective id names,
// and nothing else: no ingress update, no call from a canister.
func TestViewServesOnlyQueries(t *testing.T) {
	arg := mustEncode(t, CanisterIDArg{CanisterID: testTarget})
	r := &recorder{}
	got, err := View(r, testCaller, testTarget, "fetch_canister_logs", arg)
	if err != nil || r.called != "FetchCanisterLogs" || !r.caller.Equal(testCaller) || !r.canister.Equal(testTarget) {
		t.Fatalf("View: %v, ran %q for %s on %s", err, r.called, r.caller, r.canister)
	}
	want := mustEncode(t, FetchCanisterLogsResult{Records: []CanisterLogRecord{{Idx: 4, TimestampNanos: 5, Content: []byte("hi")}}})
	if !bytes.Equal(got, want) {
		t.Fatalf("reply %x, want %x", got, want)
	}
	var mismatch *EffectiveIDError
	if _, err := View(r, testCaller, testCaller, "fetch_canister_logs", arg); !errors.As(err, &mismatch) {
		t.Fatalf("another effective id: %v, want an EffectiveIDError", err)
	}
	_, err = View(r, testCaller, testTarget, "canister_status", arg)
	wantReject(t, err, reject.CanisterRejectedMessage, "Management canister method 'canister_status' cannot be called as a query")
	const only = "fetch_canister_logs API is only accessible in non-replicated mode"
	_, err = Dispatch(r, testCaller, "fetch_canister_logs", arg)
	wantReject(t, err, reject.CanisterRejectedMessage, only)
	_, err = AuthorizeIngress("fetch_canister_logs", arg, testCaller, testTarget, func(principal.Principal) Target { return nil })
	wantReject(t, err, reject.CanisterRejectedMessage, only)
	_, err = AuthorizeCanister("fetch_canister_logs", arg, testCaller, func(principal.Principal) Target { return nil })
	wantReject(t, err, reject.CanisterRejectedMessage, only)
}

// install_chunked_code manages its target_canister: the effective canister
// id of an ingress message must name it.
func TestInstallChunkedCodeTargetsTargetCanister(t *testing.T) {
	arg := mustEncode(t, InstallChunkedCodeArgs{Mode: InstallMode{Install: new(idl.Null)}, TargetCanister: testTarget,
		StoreCanister: &testCaller, ChunkHashesList: []ChunkHash{}, WasmModuleHash: []byte{}, Arg: []byte{}})
	got, err := TargetCanister("install_chunked_code", arg)
	if err != nil || !got.Equal(testTarget) {
		t.Fatalf("target %s, %v; want %s", got, err, testTarget)
	}
	var mismatch *EffectiveIDError
	if _, err := AuthorizeIngress("install_chunked_code", arg, testCaller, testCaller, func(principal.Principal) Target { return nil }); !errors.As(err, &mismatch) {
		t.Fatalf("the store canister as the effective id: %v, want an EffectiveIDError", err)
	}
}
