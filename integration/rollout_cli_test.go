package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/canistry/canistry/canisters"
)

// TestRolloutCLI: under canistry dev, a user opts one canister into patch
// upgrades and leaves another on manual; the operator (the dev identity)
// publishes 3.0.1, puts it in a channel and rolls it out with the CLI,
// which follows it to done; the manual canister is only told. A rollout of
// a release whose health check fails halts, and the command exits 1.
func TestRolloutCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	tmp := t.TempDir()
	d := startDev(t, filepath.Join(tmp, "dev"))
	op := filepath.Join(d.stateDir, "identity.pem")
	user, _ := newIdentity(t, tmp, "user")
	patched := d.ok(t, user, "install", "personal", "--version", "3.0.0")
	manual := d.ok(t, user, "install", "personal", "--version", "3.0.0")
	if out := d.ok(t, user, "canister", "policy", patched, "patch"); !strings.Contains(out, "policy patch") {
		t.Errorf("canister policy printed %q", out)
	}
	if _, errOut, code := d.cli(t, op, "canister", "policy", patched, "minor"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("another identity sets the policy: exit %d, %s", code, errOut)
	}

	publish := func(version, wasmPath, protocol, from string) {
		t.Helper()
		wasm := filepath.Join(tmp, version+".wasm")
		if err := os.WriteFile(wasm, canisters.MustWasm(wasmPath), 0o644); err != nil {
			t.Fatal(err)
		}
		d.ok(t, op, "release", "upload", "personal", version, wasm, "--protocol", protocol, "--upgrade-from", from)
		for _, step := range []string{"submit", "approve", "publish"} {
			d.ok(t, op, "release", step, "personal", version)
		}
	}
	publish("3.0.1", "test/personal-next/canister.wasm", "personal/3.0.1", "=3.0.0")
	if out := d.ok(t, op, "release", "channels", "personal", "3.0.1", "stable", "beta"); !strings.Contains(out, "stable beta") {
		t.Errorf("release channels printed %q", out)
	}
	if _, errOut, code := d.cli(t, user, "rollout", "start", "personal", "3.0.1", "--batch", "5", "--max-failures", "0"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("a user starts a rollout: exit %d, %s", code, errOut)
	}

	out, errOut, code := d.cli(t, op, "rollout", "start", "personal", "3.0.1", "--canary", "50", "--batch", "5", "--max-failures", "0")
	if code != 0 || !strings.HasPrefix(out, "rollout 1\n") || !strings.Contains(out, "done") || !strings.Contains(out, "total 1:") ||
		!strings.Contains(errOut, "done 1") {
		t.Fatalf("rollout start: exit %d\nstdout:\n%s\nstderr:\n%s\nwant rollout 1 done with its one target", code, out, errOut)
	}
	// dev's own 3.0.0 canister and the user's second one are on manual.
	if !strings.Contains(out, "2 on manual") {
		t.Errorf("rollout start summary:\n%s\nwant 2 on manual", out)
	}
	rows := d.ok(t, user, "canisters")
	if f := strings.Fields(lineWith(rows, patched)); len(f) != 5 || f[2] != "3.0.1" {
		t.Errorf("the patch canister after the rollout: %v", f)
	}
	if f := strings.Fields(lineWith(rows, manual)); len(f) != 5 || f[2] != "3.0.0" || f[4] != "3.0.1" {
		t.Errorf("the manual canister after the rollout: %v; want 3.0.0 with 3.0.1 available", f)
	}
	if out := d.ok(t, op, "rollout", "status", "1"); !strings.Contains(out, "rollout 1: personal 3.0.1  done") {
		t.Errorf("rollout status:\n%s", out)
	}
	if out := d.ok(t, op, "rollout", "list", "personal"); !strings.Contains(lineWith(out, "3.0.1"), "done") {
		t.Errorf("rollout list:\n%s", out)
	}
	if _, errOut, code := d.cli(t, op, "rollout", "pause", "1"); code != 1 || !strings.Contains(errOut, "failed_precondition") {
		t.Errorf("pausing a done rollout: exit %d, %s", code, errOut)
	}

	// 3.0.2's module answers personal/3.0.0-unhealthy: the canary rolls back.
	publish("3.0.2", "test/unhealthy/canister.wasm", "personal/3.0.2", "=3.0.1")
	out, errOut, code = d.cli(t, op, "rollout", "start", "personal", "3.0.2", "--canary", "100", "--batch", "5", "--max-failures", "0")
	if code != 1 || !strings.Contains(out, "halted") || !strings.Contains(out, "rolled_back") || !strings.Contains(errOut, "halted") {
		t.Errorf("a failing rollout: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 1, halted, the rollback listed", code, out, errOut)
	}
	if f := strings.Fields(lineWith(d.ok(t, user, "canisters"), patched)); len(f) != 5 || f[2] != "3.0.1" {
		t.Errorf("after the halted rollout: %v; want 3.0.1 still", f)
	}
	if out := d.ok(t, op, "rollout", "start", "personal", "3.0.2", "--batch", "1", "--max-failures", "100%", "--detach"); out != "rollout 3" {
		t.Errorf("rollout start --detach printed %q, want only the id", out)
	}
}
