package replica_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

var loggerWasm = canisters.MustWasm("test/logger/canister.wasm")

// fetchLogs calls fetch_canister_logs as the IC serves it: a query to
// aaaaa-aa with the canister as the effective canister id.
func fetchLogs(a *agent.Agent, id principal.Principal) ([]mgmt.CanisterLogRecord, error) {
	var out mgmt.FetchCanisterLogsResult
	err := a.QueryWithEffectiveCanisterID(replicatest.Management, id, "fetch_canister_logs",
		[]any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&out})
	return out.Records, err
}

func logLines(recs []mgmt.CanisterLogRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Content)
	}
	return out
}

// TestCanisterLogs: a canister's prints and its trap message are in its log,
// with consecutive indices and timestamps, for its controllers only until
// log_visibility is public; the log survives a restart.
func TestCanisterLogs(t *testing.T) {
	dir := t.TempDir()
	var replicaLog lockedBuffer
	debug := slog.New(slog.NewTextHandler(&replicaLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := replicatest.Start(t, replica.Config{StateDir: dir, Logger: debug})
	owner, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, owner)
	stranger := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, loggerWasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	var n idl.Nat
	if err := a.Call(id, "print", []any{"hello log"}, []any{&n}); err != nil {
		t.Fatal(err)
	}
	err := a.Call(id, "fail", []any{"boom"}, []any{})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("fail: %v, want the trap", err)
	}
	recs, err := fetchLogs(a, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hello log", "about to trap", "[TRAP]: boom"}
	if got := logLines(recs); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log = %q, want %q", got, want)
	}
	// The replica writes each line to its own log too, at debug level.
	for _, line := range []string{`content="hello log"`, `content="[TRAP]: boom"`} {
		if !strings.Contains(replicaLog.String(), line) {
			t.Fatalf("the replica's debug log lacks %s:\n%s", line, replicaLog.String())
		}
	}
	for i, rec := range recs {
		if rec.Idx != recs[0].Idx+uint64(i) || rec.TimestampNanos == 0 || (i > 0 && rec.TimestampNanos < recs[i-1].TimestampNanos) {
			t.Fatalf("record %d: idx %d at %d after %+v", i, rec.Idx, rec.TimestampNanos, recs[:i])
		}
	}

	if _, err := fetchLogs(stranger, id); err == nil || !strings.Contains(err.Error(), "is not allowed to query ic00 method fetch_canister_logs") {
		t.Fatalf("a stranger fetched the logs of a controllers-only canister: %v", err)
	}
	null := idl.Null{}
	setVisibility(t, a, id, mgmt.LogVisibility{Public: &null})
	if got, err := fetchLogs(stranger, id); err != nil || len(got) != len(want) {
		t.Fatalf("public log for a stranger: %d records, %v", len(got), err)
	}
	viewers := []principal.Principal{stranger.Sender()}
	setVisibility(t, a, id, mgmt.LogVisibility{AllowedViewers: &viewers})
	if _, err := fetchLogs(stranger, id); err != nil {
		t.Fatalf("an allowed viewer: %v", err)
	}
	if _, err := fetchLogs(r.Agent(t, nil), id); err == nil {
		t.Fatal("a principal not among the allowed viewers fetched the log")
	}

	err = a.CallWithEffectiveCanisterID(replicatest.Management, id, "fetch_canister_logs", []any{mgmt.CanisterIDArg{CanisterID: id}}, []any{&mgmt.FetchCanisterLogsResult{}})
	if err == nil || !strings.Contains(err.Error(), "only accessible in non-replicated mode") {
		t.Fatalf("fetch_canister_logs as an update: %v", err)
	}

	r.Stop()
	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	after, err := fetchLogs(r2.Agent(t, owner), id)
	if err != nil || fmt.Sprint(after) != fmt.Sprint(recs) {
		t.Fatalf("after a restart the log is %+v, %v; want %+v", after, err, recs)
	}
}

// TestCanisterLogsKeepTheNewest4KiB: the log holds the newest records
// within 4 KiB (16 bytes of index and timestamp plus the content each);
// indices go on; reinstalling purges it.
func TestCanisterLogsKeepTheNewest4KiB(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, loggerWasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	const lines = 60
	for i := 0; i < lines; i++ {
		var n idl.Nat
		if err := a.Call(id, "print", []any{fmt.Sprintf("%03d %s", i, strings.Repeat("x", 96))}, []any{&n}); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := fetchLogs(a, id)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, rec := range recs {
		size += 16 + len(rec.Content)
	}
	// 100-byte lines count 116 bytes: 35 of them fit in 4096.
	if size > 4096 || len(recs) != 35 {
		t.Fatalf("%d records of %d bytes kept, want 35 within 4096", len(recs), size)
	}
	last := recs[len(recs)-1]
	if !strings.HasPrefix(string(last.Content), fmt.Sprintf("%03d ", lines-1)) || last.Idx != lines-1 {
		t.Fatalf("newest record %d %q, want line %d", last.Idx, last.Content[:4], lines-1)
	}
	if err := replicatest.Install(a, id, loggerWasm, nil, replicatest.ModeReinstall); err != nil {
		t.Fatal(err)
	}
	if recs, err := fetchLogs(a, id); err != nil || len(recs) != 0 {
		t.Fatalf("after a reinstall the log has %d records, %v; want none", len(recs), err)
	}
}

func setVisibility(t *testing.T, a *agent.Agent, id principal.Principal, v mgmt.LogVisibility) {
	t.Helper()
	err := a.Call(replicatest.Management, "update_settings", []any{mgmt.UpdateSettingsArgs{
		CanisterID: id, Settings: mgmt.CanisterSettings{LogVisibility: &v},
	}}, []any{})
	if err != nil {
		t.Fatalf("update_settings log_visibility: %v", err)
	}
}

// lockedBuffer is a log destination the replica's goroutines may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
