package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAgentJS drives the handler with an unmodified @dfinity/agent 3.x
// (from the repository's node_modules): sync v3 call, 202 + v2 read_state
// polling, non-replicated rejection, and queries with signature
// verification. Skipped when node or the npm packages are missing.
func TestAgentJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "node_modules", "@dfinity", "agent")); err != nil {
		t.Skip("@dfinity/agent not installed (npm ci at the repository root)")
	}
	b := newCertBackend(t, 600*time.Millisecond)
	log := &statusLog{}
	srv := httptest.NewServer(log.wrap(NewHandler(b, Config{SyncCallTimeout: 200 * time.Millisecond}, nil)))
	defer srv.Close()

	out, err := exec.Command(node, filepath.Join("testdata", "agentjs.mjs"), srv.URL, testCanister.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("agent-js script: %v\n%s", err, out)
	}
	var results map[string]struct {
		OK  *string `json:"ok"`
		Err string  `json:"err"`
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &results); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	for name, want := range map[string]string{"echo": "hello", "slow": "later", "peek": "query"} {
		if r := results[name]; r.OK == nil || *r.OK != want {
			t.Errorf("%s: got %+v, want %q", name, r, want)
		}
	}
	for name, want := range map[string]string{"refuse": "is stopped", "fail": "ic0.trap"} {
		if r := results[name]; !strings.Contains(r.Err, want) {
			t.Errorf("%s: got %+v, want an error containing %q", name, r, want)
		}
	}
	for _, entry := range []string{"v3 call 200", "v3 call 202", "v2 read_state 200", "v2 query 200"} {
		if !log.contains(entry) {
			t.Errorf("agent-js never got %q; log %v", entry, log.codes)
		}
	}
}
