package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// customSection finds a wasm custom section by name (nil if absent).
func customSection(t *testing.T, wasm []byte, name string) []byte {
	t.Helper()
	r := bytes.NewReader(wasm[8:])
	for r.Len() > 0 {
		id, _ := r.ReadByte()
		size, err := binary.ReadUvarint(r)
		if err != nil || size > uint64(r.Len()) {
			t.Fatalf("malformed section: %v", err)
		}
		body := make([]byte, size)
		r.Read(body)
		if id != 0 {
			continue
		}
		br := bytes.NewReader(body)
		n, _ := binary.ReadUvarint(br)
		got := make([]byte, n)
		br.Read(got)
		if string(got) == name {
			return body[len(body)-br.Len():]
		}
	}
	return nil
}

// TestWasmIsTheRegistry: the embedded module is EOP Motoko, stamped with
// its protocol, and serves its Candid publicly.
func TestWasmIsTheRegistry(t *testing.T) {
	wasm := Wasm()
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatal("not a wasm module")
	}
	if p := customSection(t, wasm, "icp:public canistry:protocol"); string(p) != Protocol {
		t.Errorf("canistry:protocol = %q, want %q", p, Protocol)
	}
	if s := customSection(t, wasm, "icp:public candid:service"); !strings.Contains(string(s), "upgrade: (id: principal, version: text) -> (UpgradeResult)") {
		t.Errorf("candid:service does not describe the registry")
	}
	if customSection(t, wasm, "icp:private enhanced-orthogonal-persistence") == nil {
		t.Error("not an EOP module: its upgrades would lose the registry's state")
	}
	wasm[0] = 0xff
	if Wasm()[0] != 0 {
		t.Error("Wasm does not return a copy")
	}
}

func TestChunk(t *testing.T) {
	module := bytes.Repeat([]byte{7}, 2*MaxChunkSize+5)
	var rel NewRelease
	chunks, err := Chunk(module, &rel)
	if err != nil || len(chunks) != 3 || len(chunks[2]) != 5 || len(rel.ChunkHashes) != 3 || rel.Size != uint64(len(module)) {
		t.Fatalf("Chunk: %d chunks, %v", len(chunks), err)
	}
	whole, first := sha256.Sum256(module), sha256.Sum256(chunks[0])
	if !bytes.Equal(rel.SHA256, whole[:]) || !bytes.Equal(rel.ChunkHashes[0], first[:]) {
		t.Error("hashes are not the module's and the chunks'")
	}
	for _, bad := range [][]byte{nil, make([]byte, MaxModuleSize+1)} {
		if _, err := Chunk(bad, &rel); err == nil {
			t.Errorf("Chunk of %d bytes succeeded", len(bad))
		}
	}
}

func TestErrorFromCandid(t *testing.T) {
	msg := "nope"
	if e := fromCandid(&registry_1_0_0.Error{PermissionDenied: &msg}); e.Kind != PermissionDenied || e.Message != msg || !IsKind(e, PermissionDenied) {
		t.Errorf("permission_denied → %+v", e)
	}
	q := fromCandid(&registry_1_0_0.Error{QuotaExceeded: &struct {
		Limit             string `ic:"limit" json:"limit"`
		Message           string `ic:"message" json:"message"`
		RetryAfterSeconds uint64 `ic:"retry_after_seconds" json:"retry_after_seconds"`
	}{Limit: "creations_per_day", Message: msg, RetryAfterSeconds: 90}})
	if q.Kind != QuotaExceeded || q.Limit != "creations_per_day" || q.RetryAfter != 90*time.Second {
		t.Errorf("quota_exceeded → %+v", q)
	}
	if !strings.Contains(q.Error(), "creations_per_day") {
		t.Errorf("Error() = %q does not name the limit", q.Error())
	}
	if e := fromCandid(nil); e.Kind != Internal {
		t.Errorf("nil → %+v", e)
	}
}
