package replica_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
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

var opsWasm = canisters.MustWasm("test/ops/canister.wasm")

// installOps creates the test/ops canister (100T cycles) for a.
func installOps(t *testing.T, a *agent.Agent) principal.Principal {
	t.Helper()
	id := replicatest.CreateCanister(t, a)
	if err := replicatest.Install(a, id, opsWasm, nil, replicatest.ModeInstall); err != nil {
		t.Fatalf("install ops: %v", err)
	}
	return id
}

// split cuts a module into n chunks.
func split(wasm []byte, n int) [][]byte {
	size := (len(wasm) + n - 1) / n
	var out [][]byte
	for off := 0; off < len(wasm); off += size {
		out = append(out, wasm[off:min(off+size, len(wasm))])
	}
	return out
}

func hashesOf(chunks [][]byte) [][]byte {
	out := make([][]byte, len(chunks))
	for i, c := range chunks {
		h := sha256.Sum256(c)
		out[i] = h[:]
	}
	return out
}

func spawnChunked(a *agent.Agent, ops principal.Principal, n int, hashes [][]byte, wasmHash []byte) ([]principal.Principal, error) {
	var children []principal.Principal
	err := a.Call(ops, "spawn_chunked", []any{idl.NewNat(uint64(n)), idl.NewNat(uint64(800_000_000_000)), hashes, wasmHash}, []any{&children})
	return children, err
}

func stored(t *testing.T, a *agent.Agent, ops, store principal.Principal) [][]byte {
	t.Helper()
	var hs [][]byte
	if err := a.Call(ops, "stored", []any{store}, []any{&hs}); err != nil {
		t.Fatalf("stored_chunks: %v", err)
	}
	return hs
}

// TestChunkedInstallIntoTwentyChildren: a store canister uploads a module's
// chunks once and installs it into 20 canisters it creates with
// install_chunked_code; the chunk store is charged and survives a restart.
func TestChunkedInstallIntoTwentyChildren(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	user, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, user)
	ops := installOps(t, a)

	chunks := split(counterWasm, 3)
	var hashes [][]byte
	if err := a.Call(ops, "upload", []any{(*principal.Principal)(nil), chunks}, []any{&hashes}); err != nil {
		t.Fatalf("upload_chunk: %v", err)
	}
	if want := hashesOf(chunks); len(hashes) != 3 || !equalHashes(hashes, want) {
		t.Fatalf("upload_chunk hashes %x, want %x", hashes, want)
	}
	if got := stored(t, a, ops, ops); !equalHashes(got, hashes) {
		t.Fatalf("stored_chunks = %x, want %x", got, hashes)
	}
	if st := status(t, a, ops); st.MemoryMetrics.WasmChunkStoreSize.BigInt().Uint64() != 3<<20 {
		t.Fatalf("wasm_chunk_store_size = %s, want 3 MiB (1 MiB charged per chunk)", st.MemoryMetrics.WasmChunkStoreSize.BigInt())
	}

	wasmHash := sha256.Sum256(counterWasm)
	children, err := spawnChunked(a, ops, 20, hashes, wasmHash[:])
	if err != nil || len(children) != 20 {
		t.Fatalf("spawn_chunked: %d children, %v", len(children), err)
	}
	for _, child := range children {
		if h, err := a.GetCanisterModuleHash(child); err != nil || !bytes.Equal(h, wasmHash[:]) {
			t.Fatalf("child %s has module %x, %v; want %x", child, h, err, wasmHash)
		}
	}
	if got := inc(t, a, children[19]); got != 1 {
		t.Fatalf("inc on the 20th child = %d", got)
	}

	bad := sha256.Sum256([]byte("not the module"))
	if _, err := spawnChunked(a, ops, 1, hashes, bad[:]); err == nil || !strings.Contains(err.Error(), "does not match the hash of the assembled module") {
		t.Fatalf("install_chunked_code with a wrong module hash: %v", err)
	}

	r.Stop()
	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	a2 := r2.Agent(t, user)
	if got := stored(t, a2, ops, ops); !equalHashes(got, hashes) {
		t.Fatalf("after a restart stored_chunks = %x, want %x", got, hashes)
	}
	if more, err := spawnChunked(a2, ops, 1, hashes, wasmHash[:]); err != nil || len(more) != 1 {
		t.Fatalf("install from the chunk store after a restart: %v", err)
	}
	if err := a2.Call(ops, "clear", []any{ops}, []any{}); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, a2, ops, ops); len(got) != 0 {
		t.Fatalf("after clear_chunk_store %d chunks remain", len(got))
	}
}

// TestChunkedInstallFromAnotherStore: the store canister may be another
// canister; the caller must control it (or be it).
func TestChunkedInstallFromAnotherStore(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	ops := installOps(t, a)
	store := replicatest.CreateCanister(t, a)
	target := replicatest.CreateCanister(t, a)
	setControllers(t, a, target, a.Sender(), ops)

	// The user uploads into the store by ingress (its effective canister id).
	var hashes [][]byte
	for _, chunk := range split(counterWasm, 2) {
		var h mgmt.ChunkHash
		err := a.CallWithEffectiveCanisterID(replicatest.Management, store, "upload_chunk",
			[]any{mgmt.UploadChunkArgs{CanisterID: store, Chunk: chunk}}, []any{&h})
		if err != nil {
			t.Fatalf("upload_chunk by ingress: %v", err)
		}
		hashes = append(hashes, h.Hash)
	}
	wasmHash := sha256.Sum256(counterWasm)
	install := func() error {
		return a.Call(ops, "install_chunked", []any{target, &store, hashes, wasmHash[:]}, []any{})
	}
	if err := install(); err == nil || !strings.Contains(err.Error(), "Only controllers of canister "+store.String()) {
		t.Fatalf("install from a store the caller does not control: %v", err)
	}
	setControllers(t, a, store, a.Sender(), ops)
	if err := install(); err != nil {
		t.Fatalf("install from a store the caller controls: %v", err)
	}
	if h, err := a.GetCanisterModuleHash(target); err != nil || !bytes.Equal(h, wasmHash[:]) {
		t.Fatalf("target module %x, %v", h, err)
	}

	big := make([]byte, 1<<20+1)
	err := a.CallWithEffectiveCanisterID(replicatest.Management, store, "upload_chunk",
		[]any{mgmt.UploadChunkArgs{CanisterID: store, Chunk: big}}, []any{&mgmt.ChunkHash{}})
	if err == nil || !strings.Contains(err.Error(), "exceeds the maximum chunk size of 1048576") {
		t.Fatalf("a chunk over 1 MiB: %v", err)
	}
}

func setControllers(t *testing.T, a *agent.Agent, id principal.Principal, ctls ...principal.Principal) {
	t.Helper()
	err := a.Call(replicatest.Management, "update_settings", []any{mgmt.UpdateSettingsArgs{
		CanisterID: id, Settings: mgmt.CanisterSettings{Controllers: &ctls},
	}}, []any{})
	if err != nil {
		t.Fatalf("update_settings controllers: %v", err)
	}
}

func equalHashes(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestSnapshotKeepsTheChunkStore: a snapshot holds the chunk store (and
// counts it in its size); loading it puts the chunks back after a clear,
// also across a restart.
func TestSnapshotKeepsTheChunkStore(t *testing.T) {
	dir := t.TempDir()
	r := replicatest.Start(t, replica.Config{StateDir: dir})
	user, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, user)
	ops := installOps(t, a)
	chunks := split(counterWasm, 2)
	var hashes [][]byte
	if err := a.Call(ops, "upload", []any{(*principal.Principal)(nil), chunks}, []any{&hashes}); err != nil {
		t.Fatal(err)
	}
	snap, err := takeSnapshot(a, ops, nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.TotalSize < 2<<20 {
		t.Fatalf("snapshot total_size %d leaves out the 2 MiB chunk store", snap.TotalSize)
	}
	if err := a.Call(ops, "clear", []any{ops}, []any{}); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	r2 := replicatest.Start(t, replica.Config{StateDir: dir})
	a2 := r2.Agent(t, user)
	if err := loadSnapshot(a2, ops, snap.ID); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, a2, ops, ops); !equalHashes(got, hashes) {
		t.Fatalf("after loading the snapshot stored_chunks = %x, want %x", got, hashes)
	}
	wasmHash := sha256.Sum256(counterWasm)
	if _, err := spawnChunked(a2, ops, 1, hashes, wasmHash[:]); err != nil {
		t.Fatalf("install from the restored chunk store: %v", err)
	}
}
