package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDevFirstRun is a new user's first ten minutes: `canistry dev` started
// in a subdirectory of a checkout keeps its state in .canistry/dev at the
// checkout's root, prints its readiness contract (dev.json written before
// "ready", "ready" once), admin commands find it from another subdirectory
// without --state-dir, and Ctrl-C stops it cleanly with "stopped".
func TestDevFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	project := t.TempDir()
	mkdirs(t, filepath.Join(project, ".git"), filepath.Join(project, "app"), filepath.Join(project, "docs", "deep"))
	// Its own process group, so that Ctrl-C can be sent as a terminal does:
	// to dev and its adapter processes at once.
	d := startDevIn(t, filepath.Join(project, "app"), func(c *exec.Cmd) {
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	})
	stateDir := filepath.Join(project, ".canistry", "dev")

	var info struct {
		Gateway    string            `json:"gateway"`
		GatewayKey string            `json:"gatewayKey"`
		Canisters  map[string]string `json:"canisters"`
	}
	data, err := os.ReadFile(filepath.Join(stateDir, "dev.json"))
	if err != nil {
		t.Fatalf("dev.json at the project root when ready: %v\nstderr:\n%s", err, d.stderr)
	}
	if err := json.Unmarshal(data, &info); err != nil || info.Gateway != d.gateway || info.Canisters["2.0.0"] != d.canisters["2.0.0"] ||
		info.GatewayKey != d.gatewayKey || d.gatewayKey == "" {
		t.Fatalf("dev.json = %s (%v), want what dev printed: gateway %s, canisters %v", data, err, d.gateway, d.canisters)
	}
	if _, err := os.Stat(filepath.Join(project, "app", ".canistry")); !os.IsNotExist(err) {
		t.Errorf("dev made state in its working directory, not at the project root (%v)", err)
	}

	d.workDir = filepath.Join(project, "docs", "deep")
	if out := d.admin(t, "describe", d.canisters["2.0.0"]); !strings.Contains(out, "personal/2.0.0") {
		t.Errorf("describe from another subdirectory:\n%s", out)
	}

	adapter := d.adapterPID(t, "personal1")
	if err := syscall.Kill(-d.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("dev did not stop within 30s of SIGINT; stderr:\n%s", d.stderr)
	}
	if d.exitErr != nil {
		t.Fatalf("exit after SIGINT: %v; stderr:\n%s", d.exitErr, d.stderr)
	}
	want := []string{"replica " + d.replica, "gateway " + d.gateway, "registry " + d.registry}
	for _, v := range []string{"1.0.0", "2.0.0", "3.0.0"} {
		want = append(want, "personal/"+v+" "+d.canisters[v])
	}
	want = append(want, "gateway-key "+d.gatewayKey, "delegation "+d.delegation, "ready", "stopped")
	if got := d.stdout.all(); !slices.Equal(got, want) {
		t.Errorf("stdout:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if adapter == 0 {
		t.Error("no personal1 adapter process under canistry dev")
	} else {
		waitFor(t, 10*time.Second, func() bool { // the adapters end with their host
			_, err := os.Stat("/proc/" + strconv.Itoa(adapter))
			return os.IsNotExist(err)
		})
	}
	if !strings.Contains(d.stderr.String(), "state in "+stateDir) {
		t.Errorf("stderr does not say where the state is:\n%s", d.stderr)
	}
}

// TestStateIsGitignored: neither dev's state at the root nor a replica's
// default state in a subdirectory shows up in git status.
func TestStateIsGitignored(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		skipForEnv(t, "git is not installed")
	}
	for _, p := range []string{".canistry/dev/dev.json", "cmd/canistry/.canistry/replica/state.db"} {
		cmd := exec.Command(git, "check-ignore", "--quiet", "--no-index", p)
		cmd.Dir = repoRoot()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil: // ignored
		case errors.As(err, &exit) && exit.ExitCode() == 1:
			t.Errorf("git status would show %s: .gitignore does not ignore it", p)
		default: // 128: not a git checkout (a source archive, say)
			skipForEnv(t, fmt.Sprintf("git check-ignore cannot run here: %v %s", err, strings.TrimSpace(string(out))))
		}
	}
}

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
