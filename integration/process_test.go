package integration

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
)

// replicaProcess is `canistry replica` running as a child process.
type replicaProcess struct {
	cmd    *exec.Cmd
	URL    *url.URL
	stderr *bytes.Buffer
	exited chan error
}

// startReplica runs the replica on a free port of 127.0.0.1 and waits until
// it prints the URL it serves.
func startReplica(t *testing.T, stateDir string, extra ...string) *replicaProcess {
	t.Helper()
	args := append([]string{"replica", "--listen", "127.0.0.1:0", "--state-dir", stateDir}, extra...)
	cmd := exec.Command(canistryBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &replicaProcess{cmd: cmd, stderr: new(bytes.Buffer), exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l, ok := <-line:
		if !ok {
			<-p.exited
			t.Fatalf("replica exited before serving; stderr:\n%s", p.stderr)
		}
		if p.URL, err = url.Parse(strings.TrimSpace(l)); err != nil {
			t.Fatalf("replica printed %q, not a URL", l)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("replica did not print its URL within 60s; stderr:\n%s", p.stderr)
	}
	return p
}

// kill ends the process with SIGKILL: no chance to flush anything.
func (p *replicaProcess) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func (p *replicaProcess) agent(t *testing.T, id identity.Identity) *agent.Agent {
	t.Helper()
	if id == nil {
		var err error
		if id, err = identity.NewRandomEd25519Identity(); err != nil {
			t.Fatal(err)
		}
	}
	a, err := agent.New(agent.Config{Identity: id, FetchRootKey: true,
		ClientConfig: []agent.ClientOption{agent.WithHostURL(p.URL)}, PollTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// runCanistry runs the binary to completion and returns its exit code.
func runCanistry(t *testing.T, timeout time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, canistryBin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), o.String(), e.String()
	}
	if err != nil {
		t.Fatalf("run canistry %v: %v", args, err)
	}
	return 0, o.String(), e.String()
}

func TestReplicaRefusesTakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := runCanistry(t, 30*time.Second, "replica", "--listen", ln.Addr().String(), "--state-dir", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "cannot listen on "+ln.Addr().String()) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 {
		t.Fatalf("want a one-line reason, got:\n%s", stderr)
	}
}

func TestReplicaRefusesUnusableStateDir(t *testing.T) {
	file := t.TempDir() + "/not-a-dir"
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCanistry(t, 30*time.Second, "replica", "--listen", "127.0.0.1:0", "--state-dir", file)
	if code == 0 || !strings.Contains(stderr, "cannot open state dir") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestSecondReplicaProcessIsRefused(t *testing.T) {
	dir := t.TempDir()
	startReplica(t, dir)
	code, _, stderr := runCanistry(t, 30*time.Second, "replica", "--listen", "127.0.0.1:0", "--state-dir", dir)
	if code == 0 || !strings.Contains(stderr, "in use by another replica") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestReplicaStopsCleanlyOnSIGTERM(t *testing.T) {
	p := startReplica(t, t.TempDir())
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("replica did not stop within 30s of SIGTERM")
	}
}

func TestReplicaHelp(t *testing.T) {
	code, _, stderr := runCanistry(t, 30*time.Second, "replica", "--help")
	if code != 0 || !strings.Contains(stderr, "-state-dir") || !strings.Contains(stderr, "-max-instructions-per-message") {
		t.Fatalf("exit %d, help:\n%s", code, stderr)
	}
	if code, _, _ := runCanistry(t, 30*time.Second, "replica", "--no-such-flag"); code != 2 {
		t.Fatalf("unknown flag: exit %d, want 2", code)
	}
}
