package gotest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestE2EWithDfinityAgent runs canisters/personal/e2e.test.mjs — the same
// canister driven by the independent JavaScript client, @dfinity/agent
// 3.4.3 in node — against a replica started here, the way
// integration/js_test.go runs the client's own test.
func TestE2EWithDfinityAgent(t *testing.T) {
	t.Parallel()
	root := repoRoot()
	for _, pkg := range []string{"@dfinity/agent", "motoko"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", pkg)); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("node_modules are missing in CI (run npm ci): %v", err)
			}
			t.Skipf("node_modules/%s missing: run `npm ci` to enable the @dfinity/agent test", pkg)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is missing in CI: %v", err)
		}
		t.Skip("node is not installed")
	}
	r := replicatest.Start(t, replica.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--test", "canisters/personal/e2e.test.mjs")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CANISTRY_REPLICA_URL="+r.URL.String())
	out, err := cmd.CombinedOutput()
	t.Logf("node --test output:\n%s", out)
	if err != nil {
		t.Fatalf("canisters/personal/e2e.test.mjs failed: %v", err)
	}
	// A skipped case would pass silently; every case must run.
	if !strings.Contains(string(out), "# skipped 0") || !strings.Contains(string(out), "# fail 0") {
		t.Fatalf("e2e.test.mjs skipped or failed cases (see the output above)")
	}
}

// repoRoot is the repository's top directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}
