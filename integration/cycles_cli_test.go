package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCyclesCLI: under canistry dev, the operator grants a user credit
// and sets an app's top-up policy with the CLI; the user sees their
// credit, their canister's cycles, and may not grant or read the
// registry's account.
func TestCyclesCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	tmp := t.TempDir()
	d := startDev(t, filepath.Join(tmp, "dev"))
	op := filepath.Join(d.stateDir, "identity.pem")
	user, userP := newIdentity(t, tmp, "user")

	if out := d.ok(t, user, "credit"); !strings.Contains(out, "balance  0") {
		t.Errorf("a new user's credit:\n%s", out)
	}
	if _, errOut, code := d.cli(t, user, "credit", "grant", userP, "5T"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("a user granting credit: exit %d, %s", code, errOut)
	}
	if out := d.ok(t, op, "credit", "grant", userP, "5T"); !strings.Contains(out, "balance  5000000000000") {
		t.Errorf("credit grant printed:\n%s", out)
	}
	if out := d.ok(t, user, "credit"); !strings.Contains(out, "balance  5000000000000") || !strings.Contains(out, "owner    "+userP) {
		t.Errorf("the user's credit after a grant:\n%s", out)
	}
	if out := d.ok(t, user, "cycles", "policy", "personal"); !strings.Contains(out, "below_runtime threshold 30d0h fund 60d0h") {
		t.Errorf("the default policy:\n%s", out)
	}
	if out := d.ok(t, op, "cycles", "policy", "personal", "below_balance", "1T", "2T", "--max-top-up", "500B"); out != "below_balance threshold 1000000000000 fund_to 2000000000000 max_top_up 500000000000" {
		t.Errorf("setting a policy printed %q", out)
	}
	if _, errOut, code := d.cli(t, op, "cycles", "policy", "personal", "below_balance", "2T", "1T"); code != 1 || !strings.Contains(errOut, "invalid_argument") {
		t.Errorf("a policy funding below its threshold: exit %d, %s", code, errOut)
	}
	cid := d.ok(t, user, "install", "personal")
	if out := d.ok(t, user, "cycles", "status", cid); !strings.Contains(out, "canister             "+cid) || !strings.Contains(out, "owner                "+userP) {
		t.Errorf("cycles status:\n%s", out)
	}
	if out := d.ok(t, op, "cycles", "registry"); !strings.Contains(out, "credit_outstanding") {
		t.Errorf("cycles registry:\n%s", out)
	}
	if _, errOut, code := d.cli(t, user, "cycles", "registry"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("a user reading the registry's cycles: exit %d, %s", code, errOut)
	}
	d.ok(t, op, "cycles", "low")
}
