package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
)

// cli runs a platform command of canistry as the identity in pem against
// dev's gateway (found through dev's state dir, as a user's would be); it
// returns stdout, stderr and the exit code.
func (d *devProcess) cli(t *testing.T, pem string, args ...string) (string, string, int) {
	t.Helper()
	args = append(args, "--identity", pem, "--state-dir", d.stateDir)
	cmd := exec.Command(canistryBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("canistry %v: %v", args, err)
	}
	return strings.TrimSpace(stdout.String()), stderr.String(), code
}

// ok runs cli and fails the test unless it exits 0.
func (d *devProcess) ok(t *testing.T, pem string, args ...string) string {
	t.Helper()
	out, errOut, code := d.cli(t, pem, args...)
	if code != 0 {
		t.Fatalf("canistry %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
	}
	return out
}

// newIdentity makes a PEM identity with the CLI and returns its file and
// principal.
func newIdentity(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	pem := filepath.Join(dir, name+".pem")
	out, err := exec.Command(canistryBin, "identity", "new", "--out", pem).Output()
	if err != nil {
		t.Fatalf("identity new: %v", err)
	}
	return pem, strings.TrimSpace(string(out))
}

// TestPlatformEndToEnd: under canistry dev, a developer uploads and
// submits releases through the CLI, a second identity with the auditor
// role approves them (the developer may not), the developer publishes;
// a plain user installs 1.0.0, writes documents through the gateway's
// PersonalService, upgrades to 3.0.0 directly (a declared skip) watching
// the steps, and finds every document; the canister's controllers are
// the user and the registry. Someone else upgrading it is refused.
func TestPlatformEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	tmp := t.TempDir()
	d := startDev(t, filepath.Join(tmp, "dev"))
	if d.registry == "" {
		t.Fatalf("dev printed no registry line:\n%s", d.stdout)
	}
	if n := strings.Count(d.stderr.String(), "self-audit waiver"); n != 1 {
		t.Errorf("dev said %d times that it waived the auditor rule for itself; want once:\n%s", n, d.stderr)
	}
	devPEM := filepath.Join(d.stateDir, "identity.pem")
	if got := d.ok(t, devPEM, "whoami"); len(d.canisters) != 3 || got == "" {
		t.Fatalf("whoami of the dev identity: %q; dev canisters %v", got, d.canisters)
	}
	developer, developerP := newIdentity(t, tmp, "developer")
	auditor, auditorP := newIdentity(t, tmp, "auditor")
	user, userP := newIdentity(t, tmp, "user")
	stranger, _ := newIdentity(t, tmp, "stranger")

	// dev published the reference releases through its registry.
	if out := d.ok(t, user, "release", "list", "personal"); strings.Count(out, "released") != 3 {
		t.Errorf("release list personal:\n%s\nwant 1.0.0, 2.0.0 and 3.0.0 released", out)
	}
	d.ok(t, devPEM, "role", "grant", "developer", developerP)
	d.ok(t, devPEM, "role", "grant", "auditor", auditorP)
	if _, errOut, code := d.cli(t, user, "role", "grant", "operator", userP); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("a plain user granting roles: exit %d, %s", code, errOut)
	}
	if got := d.ok(t, developer, "app", "create", "notes", "--name", "Notes", "--description", "personal canisters, republished"); got != "notes" {
		t.Errorf("app create printed %q", got)
	}
	for v, from := range map[string]string{"1.0.0": "", "3.0.0": ">=1.0.0 <3.0.0"} {
		wasm := filepath.Join(tmp, v+".wasm")
		if err := os.WriteFile(wasm, personal.MustWasm(v), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := d.cli(t, developer, "release", "upload", "notes", v, wasm, "--protocol", personal.Protocol(v), "--upgrade-from", from, "--notes", "v"+v)
		if code != 0 || !strings.Contains(out, "draft") || !strings.Contains(errOut, "100%") {
			t.Fatalf("release upload %s: exit %d\n%s\n%s", v, code, out, errOut)
		}
		d.ok(t, developer, "release", "submit", "notes", v)
		if _, errOut, code := d.cli(t, developer, "release", "approve", "notes", v); code != 1 || !strings.Contains(errOut, "permission_denied") {
			t.Errorf("the uploader approving %s: exit %d, %s; want permission_denied", v, code, errOut)
		}
		d.ok(t, auditor, "release", "approve", "notes", v)
		if out := d.ok(t, developer, "release", "publish", "notes", v); !strings.Contains(out, "released") {
			t.Errorf("release publish %s:\n%s", v, out)
		}
	}
	if _, errOut, code := d.cli(t, stranger, "release", "upload", "notes", "4.0.0", filepath.Join(tmp, "1.0.0.wasm"), "--protocol", "personal/1.0.0"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("a non-developer uploading: exit %d, %s", code, errOut)
	}

	cid := d.ok(t, user, "install", "notes", "--version", "1.0.0")
	if _, err := principal.Decode(cid); err != nil {
		t.Fatalf("install printed %q, not only a canister id", cid)
	}
	if cs := controllers(t, d, cid); !samePrincipals(cs, userP, d.registry) {
		t.Errorf("controllers of the installed canister: %v; want the user %s and the registry %s", cs, userP, d.registry)
	}
	header := d.ok(t, user, "session", "--target", cid)
	docs := newClient(d.gateway, header)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	want := map[string]string{}
	for i := range 5 {
		key, content := fmt.Sprintf("notes/%d", i), fmt.Sprintf("written under 1.0.0, #%d", i)
		if _, proto, err := docs.put(ctx, cid, key, content, nil); err != nil || proto != "personal/1.0.0" {
			t.Fatalf("put %s: %v (%s)", key, err, proto)
		}
		want[key] = content
	}
	if out := d.ok(t, user, "canisters"); !strings.Contains(out, cid) || !strings.Contains(out, "3.0.0") {
		t.Errorf("canisters:\n%s\nwant %s with 3.0.0 available", out, cid)
	}

	if _, errOut, code := d.cli(t, stranger, "upgrade", cid, "--to", "3.0.0"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("upgrading someone else's canister: exit %d, %s; want permission_denied", code, errOut)
	}
	if _, errOut, code := d.cli(t, devPEM, "upgrade", cid, "--to", "3.0.0"); code != 1 || !strings.Contains(errOut, "permission_denied") {
		t.Errorf("the operator upgrading a user's canister: exit %d, %s; want permission_denied", code, errOut)
	}

	out := d.ok(t, user, "upgrade", cid, "--to", "3.0.0")
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || !strings.Contains(lines[len(lines)-1], "done") || !strings.Contains(out, "snapshotting") || !strings.Contains(out, "checking") {
		t.Fatalf("upgrade output:\n%s\nwant the steps, snapshotting and checking among them, ending done", out)
	}
	got, err := docs.all(ctx, cid, "notes/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("after the upgrade: %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("after the upgrade %s = %q, want %q", k, got[k], v)
		}
	}
	if _, proto, err := docs.get(ctx, cid, "notes/0"); err != nil || proto != "personal/3.0.0" {
		t.Errorf("after the upgrade the canister answers as %q (%v), want personal/3.0.0", proto, err)
	}
	if cs := controllers(t, d, cid); !samePrincipals(cs, userP, d.registry) {
		t.Errorf("controllers after the upgrade: %v", cs)
	}
	// At 3.0.0 nothing newer admits it: no upgrade available.
	if row := strings.Fields(lineWith(d.ok(t, user, "canisters"), cid)); len(row) != 5 || row[2] != "3.0.0" || row[4] != "-" {
		t.Errorf("canisters after the upgrade: %v; want %s notes 3.0.0 installed -", row, cid)
	}
	if _, errOut, code := d.cli(t, user, "upgrade", cid, "--to", "1.0.0"); code != 1 || !strings.Contains(errOut, "failed_precondition") {
		t.Errorf("a downgrade: exit %d, %s; want failed_precondition", code, errOut)
	}

	// 4.0.0 is 3.0.0's module declared as personal/4.0.0: its health check
	// (protocol() must answer personal/4.0.0) fails after the install, and
	// the registry rolls the canister back to 3.0.0 with its data.
	d.ok(t, developer, "release", "upload", "notes", "4.0.0", filepath.Join(tmp, "3.0.0.wasm"), "--protocol", "personal/4.0.0", "--upgrade-from", ">=3.0.0 <4.0.0")
	d.ok(t, developer, "release", "submit", "notes", "4.0.0")
	d.ok(t, auditor, "release", "approve", "notes", "4.0.0")
	d.ok(t, developer, "release", "publish", "notes", "4.0.0")
	out, errOut, code := d.cli(t, user, "upgrade", cid, "--to", "4.0.0")
	if code != 1 || !strings.Contains(out, "rolled_back") || !strings.Contains(errOut, "rolled_back") || !strings.Contains(errOut, "personal/3.0.0") {
		t.Errorf("an upgrade whose health check fails: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 1, the steps ending rolled_back and the health reply as the reason", code, out, errOut)
	}
	if doc, proto, err := docs.get(ctx, cid, "notes/4"); err != nil || proto != "personal/3.0.0" || string(doc.GetContent()) != want["notes/4"] {
		t.Errorf("after the rollback: %v as %q (%v); want the document as personal/3.0.0", doc, proto, err)
	}
}

// lineWith is the first line of text containing s.
func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func samePrincipals(got []principal.Principal, want ...string) bool {
	var g []string
	for _, p := range got {
		g = append(g, p.String())
	}
	slices.Sort(g)
	slices.Sort(want)
	return slices.Equal(g, want)
}
