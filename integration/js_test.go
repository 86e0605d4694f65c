package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestAgentJS holds the replica against the independent JavaScript client,
// @dfinity/agent 3.4.3, running in node.
func TestAgentJS(t *testing.T) {
	root := repoRoot()
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@dfinity", "agent")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node_modules are missing in CI (run npm ci): %v", err)
		}
		skipForEnv(t, "node_modules missing: run `npm ci` to enable the @dfinity/agent test")
	}
	p := startReplica(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--test", "integration/js/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"CANISTRY_REPLICA_URL="+p.URL.String(),
		"CANISTRY_COUNTER_WASM="+filepath.Join(root, "canisters", "test", "counter", "canister.wasm"),
		"CANISTRY_LOGGER_WASM="+filepath.Join(root, "canisters", "test", "logger", "canister.wasm"),
	)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test output:\n%s", out)
	if err != nil {
		t.Fatalf("@dfinity/agent test failed: %v; replica stderr:\n%s", err, p.stderr)
	}
}
