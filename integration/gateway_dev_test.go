package integration

import (
	"bufio"
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
	stateDir  string
	replica   string
	gateway   string
	canisters map[string]string // by protocol version
	stderr    *syncBuffer
	exited    chan error
}

// startDev runs `canistry dev` on free ports and waits for "ready".
func startDev(t testing.TB, stateDir string) *devProcess {
	t.Helper()
	cmd := exec.Command(canistryBin, "dev", "--state-dir", stateDir, "--listen", "127.0.0.1:0", "--replica-listen", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &devProcess{cmd: cmd, stateDir: stateDir, canisters: map[string]string{}, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = d.stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- cmd.Wait() }()
	t.Cleanup(d.stop)
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	timeout := time.After(90 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("canistry dev exited before ready; stderr:\n%s", d.stderr)
			}
			if l == "ready" {
				t.Logf("canistry dev ready in %s", time.Since(start).Round(time.Millisecond))
				go func() {
					for range lines {
					}
				}()
				return d
			}
			d.parse(l)
		case <-timeout:
			t.Fatalf("canistry dev not ready within 90s; stderr:\n%s", d.stderr)
		}
	}
}

func (d *devProcess) parse(line string) {
	k, v, _ := strings.Cut(line, " ")
	switch {
	case k == "replica":
		d.replica = v
	case k == "gateway":
		d.gateway = v
	case strings.HasPrefix(k, "personal/"):
		d.canisters[strings.TrimPrefix(k, "personal/")] = v
	}
}

// stop ends dev with SIGTERM, as a user's Ctrl-C would.
func (d *devProcess) stop() {
	if d.cmd.ProcessState != nil {
		return
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
	cmd := exec.Command(canistryBin, append([]string{"canister"}, append(args, "--state-dir", d.stateDir)...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("canistry canister %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// adapterPID is the pid of dev's child `canistry adapter <name>`.
func (d *devProcess) adapterPID(t testing.TB, name string) int {
	t.Helper()
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
		if ppid(pid) == d.cmd.Process.Pid {
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

// client is the one client code every canister version is served to.
type client struct {
	c personalv1connect.PersonalServiceClient
}

func newClient(baseURL string) *client {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return &client{c: personalv1connect.NewPersonalServiceClient(hc, baseURL)}
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
