package integration

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/gateway"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
)

// devProcess is `canistry dev` running as a child process.
type devProcess struct {
	cmd       *exec.Cmd
	stateDir  string // "" when dev found it at the project root
	workDir   string // dev's working directory ("": the test's)
	replica   string
	gateway   string
	registry  string            // the registry canister's id
	canisters map[string]string // by protocol version
	// gatewayKey (hex) and delegation (a Canistry-Delegation value for
	// the dev identity and the dev canisters) are what dev printed.
	gatewayKey string
	delegation string
	stdout     *lineLog
	stderr     *syncBuffer
	exited     chan struct{} // closed once dev has exited and exitErr is set
	exitErr    error
}

// startDev runs `canistry dev` on free ports with the given state dir and
// waits for its readiness line.
func startDev(t testing.TB, stateDir string) *devProcess {
	t.Helper()
	return startDevIn(t, "", nil, "--state-dir", stateDir)
}

// startDevIn runs `canistry dev` in workDir (with extra flags; setup, when
// set, adjusts the command) and waits for the readiness contract: the
// addresses, the canisters, then "ready".
func startDevIn(t testing.TB, workDir string, setup func(*exec.Cmd), extra ...string) *devProcess {
	t.Helper()
	args := append([]string{"dev", "--listen", "127.0.0.1:0", "--replica-listen", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(canistryBin, args...)
	cmd.Dir = workDir
	if setup != nil {
		setup(cmd)
	}
	d := &devProcess{cmd: cmd, workDir: workDir, canisters: map[string]string{},
		stdout: newLineLog(), stderr: &syncBuffer{}, exited: make(chan struct{})}
	if len(extra) == 2 && extra[0] == "--state-dir" {
		d.stateDir = extra[1]
	}
	cmd.Stdout, cmd.Stderr = d.stdout, d.stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exitErr = cmd.Wait(); close(d.exited) }()
	t.Cleanup(d.stop)
	timeout := time.After(90 * time.Second)
	for i := 0; ; i++ {
		l, ok := d.stdout.line(i, d.exited, timeout)
		if !ok {
			t.Fatalf("canistry dev exited or was not ready within 90s; stdout:\n%s\nstderr:\n%s", d.stdout, d.stderr)
		}
		if l == "ready" {
			t.Logf("canistry dev ready in %s", time.Since(start).Round(time.Millisecond))
			return d
		}
		d.parse(l)
	}
}

func (d *devProcess) parse(line string) {
	k, v, _ := strings.Cut(line, " ")
	switch {
	case k == "replica":
		d.replica = v
	case k == "gateway":
		d.gateway = v
	case k == "registry":
		d.registry = v
	case k == "gateway-key":
		d.gatewayKey = v
	case k == "delegation":
		d.delegation = v
	case strings.HasPrefix(k, "personal/"):
		d.canisters[strings.TrimPrefix(k, "personal/")] = v
	}
}

// stop ends dev with SIGTERM, as a user's Ctrl-C would.
func (d *devProcess) stop() {
	select {
	case <-d.exited:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.exited
	}
}

// admin runs `canistry canister ...` against this dev environment.
func (d *devProcess) admin(t testing.TB, args ...string) string {
	t.Helper()
	if d.stateDir != "" {
		args = append(args, "--state-dir", d.stateDir)
	}
	cmd := exec.Command(canistryBin, append([]string{"canister"}, args...)...)
	cmd.Dir = d.workDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("canistry canister %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// session runs `canistry session` for the dev identity against this dev
// environment's gateway key: a Canistry-Delegation value for the targets
// (none: every canister).
func (d *devProcess) session(t testing.TB, targets ...string) string {
	t.Helper()
	args := []string{"session", "--identity", filepath.Join(d.stateDir, "identity.pem"), "--state-dir", d.stateDir}
	for _, c := range targets {
		args = append(args, "--target", c)
	}
	cmd := exec.Command(canistryBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("canistry %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// adapterPID is the pid of dev's child `canistry adapter <name>`.
func (d *devProcess) adapterPID(t testing.TB, name string) int {
	t.Helper()
	return adapterPIDOf(d.cmd.Process.Pid, name)
}

// adapterPIDOf finds the process of built-in adapter name that parent
// started (0: none).
func adapterPIDOf(parent int, name string) int {
	want := canistryBin + "\x00adapter\x00" + name + "\x00"
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || string(cmdline) != want {
			continue
		}
		if ppid(pid) == parent {
			return pid
		}
	}
	return 0
}

func ppid(pid int) int {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...; comm may contain spaces, so cut after ')'.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(fields[1])
	return n
}

// client is the one client code every canister version is served to. It
// sends delegation (a Canistry-Delegation value) with every request.
type client struct {
	c personalv1connect.PersonalServiceClient
}

func newClient(baseURL, delegation string) *client {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	attach := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if delegation != "" {
				req.Header().Set(gateway.HeaderDelegation, delegation)
			}
			return next(ctx, req)
		}
	})
	return &client{c: personalv1connect.NewPersonalServiceClient(hc, baseURL, connect.WithInterceptors(attach))}
}

func at[T any](canister string, msg *T) *connect.Request[T] {
	req := connect.NewRequest(msg)
	req.Header().Set(gateway.HeaderCanister, canister)
	return req
}

func (c *client) put(ctx context.Context, canister, key, content string, ifRevision *uint64) (*personalv1.Document, string, error) {
	resp, err := c.c.PutDocument(ctx, at(canister, &personalv1.PutDocumentRequest{Key: key, Content: []byte(content), IfRevision: ifRevision}))
	if err != nil {
		return nil, "", err
	}
	return resp.Msg.GetDocument(), resp.Header().Get(gateway.HeaderProtocol), nil
}

func (c *client) get(ctx context.Context, canister, key string) (*personalv1.Document, string, error) {
	resp, err := c.c.GetDocument(ctx, at(canister, &personalv1.GetDocumentRequest{Key: key}))
	if err != nil {
		return nil, "", err
	}
	return resp.Msg.GetDocument(), resp.Header().Get(gateway.HeaderProtocol), nil
}

// all lists every document with the given prefix, page by page.
func (c *client) all(ctx context.Context, canister, prefix string) (map[string]string, error) {
	out := map[string]string{}
	token := ""
	for {
		resp, err := c.c.ListDocuments(ctx, at(canister, &personalv1.ListDocumentsRequest{Prefix: prefix, PageSize: 7, PageToken: token}))
		if err != nil {
			return nil, err
		}
		for _, d := range resp.Msg.GetDocuments() {
			out[d.GetKey()] = string(d.GetContent())
		}
		if token = resp.Msg.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

// TestAdaptersEndWithAKilledHost: a dev environment killed with SIGKILL
// cannot stop its adapter processes; they must notice and exit by
// themselves instead of lingering without a host.
func TestAdaptersEndWithAKilledHost(t *testing.T) {
	d := startDev(t, t.TempDir())
	pid := d.adapterPID(t, "personal1")
	if pid == 0 {
		t.Fatal("no personal1 adapter process under canistry dev")
	}
	d.cmd.Process.Kill()
	<-d.exited
	waitFor(t, 10*time.Second, func() bool {
		_, err := os.Stat("/proc/" + strconv.Itoa(pid))
		return os.IsNotExist(err)
	})
}
