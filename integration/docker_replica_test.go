package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

const (
	// dockerExpireSeconds stops the container even when the test process dies
	// before its cleanup: the engine itself runs the stop timer.
	dockerExpireSeconds = 600
	// dockerFirstResponseWait bounds the wait for /api/v2/status.
	dockerFirstResponseWait = 60 * time.Second
)

// dockerReplica is `canistry replica` in a container built FROM scratch,
// on the host's network, serving on 127.0.0.1 only.
type dockerReplica struct {
	URL  *url.URL
	logs *syncBuffer
}

// startReplicaInDocker builds the static binary and the image from
// docker/Dockerfile, runs it with host networking on a free loopback port and
// waits for its first /api/v2/status answer. The container and the image are
// removed when the test ends.
func startReplicaInDocker(t *testing.T) *dockerReplica {
	t.Helper()
	pool := dockerPool(t)
	ctxDir := staticBuildContext(t)
	port := freeLoopbackPort(t)
	name := "canistry-replica-test-" + randomHex(t, 6)
	env := []string{fmt.Sprintf("CANISTRY_LISTEN=127.0.0.1:%d", port)}
	res := buildAndRun(t, pool, ctxDir, name, env)

	r := &dockerReplica{
		URL:  &url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)},
		logs: new(syncBuffer),
	}
	logsEnded := followLogs(pool, res.Container.ID, r.logs)
	if err := waitForStatus(pool, res.Container.ID, r.URL); err != nil {
		if errors.Is(err, errContainerEnded) && !logsWereRead(logsEnded) {
			// AutoRemove deleted it before its logs could be read.
			t.Fatalf("replica in Docker never answered /api/v2/status: %v\nits output, from a second run of the image:\n%s",
				err, rerunForOutput(pool, name, env))
		}
		t.Fatalf("replica in Docker never answered /api/v2/status: %v\ncontainer output:\n%s", err, r.logs)
	}
	t.Logf("container start to first /api/v2/status response: %v",
		time.Since(res.Container.State.StartedAt).Round(time.Millisecond))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica container output:\n%s", r.logs)
		}
	})
	return r
}

// staticBuildContext is a fresh image build context holding the static
// binary (checked to be static).
func staticBuildContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	began := time.Now()
	buildDockerContext(t, dir)
	requireStaticELF(t, filepath.Join(dir, "canistry"))
	t.Logf("static build: %v", time.Since(began).Round(time.Millisecond))
	return dir
}

// buildAndRun builds the image as name:latest and starts it as the
// container name, auto-removed when it ends and stopped by the engine after
// dockerExpireSeconds whatever happens to this process.
func buildAndRun(t *testing.T, pool *dockertest.Pool, ctxDir, name string, env []string) *dockertest.Resource {
	t.Helper()
	began := time.Now()
	res, err := pool.BuildAndRunWithBuildOptions(
		&dockertest.BuildOptions{ContextDir: ctxDir, Dockerfile: "Dockerfile"},
		// No Tag: BuildAndRun tags the image Name:latest, and any other tag
		// would make RunWithOptions try to pull Name:Tag from a registry.
		&dockertest.RunOptions{Name: name, Env: env},
		func(hc *dc.HostConfig) {
			hostNetworkOnly(hc)
			hc.AutoRemove = true
		},
	)
	// The image exists once the build succeeded, even if the run failed.
	t.Cleanup(func() { removeImage(t, pool, name) })
	if err != nil {
		t.Fatalf("build and run the replica image: %v", err)
	}
	t.Logf("image build + container start: %v", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { purge(t, pool, res) })
	if err := res.Expire(dockerExpireSeconds); err != nil {
		t.Fatalf("expire: %v", err)
	}
	return res
}

// dockerPool connects to the engine (DOCKER_HOST or the default socket).
// Without one the test skips, except in CI, where .ci/run starts an engine
// and a missing one must not pass unnoticed.
func dockerPool(t *testing.T) *dockertest.Pool {
	t.Helper()
	pool, err := dockertest.NewPool("")
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = pool.Client.PingWithContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Docker engine answers in CI (.ci/run should have started dockerd): %v", err)
		}
		t.Skipf("no Docker engine answers, so the replica-in-Docker test is skipped: %v", err)
	}
	pool.MaxWait = dockerFirstResponseWait
	return pool
}

// buildDockerContext runs scripts/docker-context.sh, the same build a person
// makes by hand.
func buildDockerContext(t *testing.T, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot(), "scripts", "docker-context.sh"), dir)
	cmd.Dir = repoRoot()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/docker-context.sh: %v\n%s", err, out)
	}
	if len(out) > 0 {
		t.Logf("scripts/docker-context.sh said:\n%s", out)
	}
}

// requireStaticELF fails unless path is an ELF executable that needs no
// program interpreter and no shared library: all a FROM scratch image offers.
func requireStaticELF(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("open %s as ELF: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("%s requests a program interpreter: it is not static", path)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatalf("read %s dynamic section: %v", path, err)
	}
	if len(libs) > 0 {
		t.Fatalf("%s needs shared libraries %v: it is not static", path, libs)
	}
}

// freeLoopbackPort is a TCP port of 127.0.0.1 that nothing listens on now.
// The replica binds it a moment later; a port taken in between makes the
// container exit with "cannot listen", which the test reports.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// followLogs copies the container's output into buf until the container
// ends, then sends the outcome of following them. AutoRemove deletes the
// container (and its logs) on exit, so following is the only way to keep them.
func followLogs(pool *dockertest.Pool, containerID string, buf *syncBuffer) <-chan error {
	ended := make(chan error, 1)
	go func() {
		err := pool.Client.Logs(dc.LogsOptions{
			Container: containerID, OutputStream: buf, ErrorStream: buf,
			Follow: true, Stdout: true, Stderr: true,
		})
		if err != nil {
			fmt.Fprintf(buf, "[following the container's logs failed: %v]\n", err)
		}
		ended <- err
	}()
	return ended
}

// logsWereRead reports whether following the logs of an ended container
// succeeded (it fails when AutoRemove was quicker).
func logsWereRead(ended <-chan error) bool {
	select {
	case err := <-ended:
		return err == nil
	case <-time.After(5 * time.Second):
		return false
	}
}

// errContainerEnded: waiting is pointless, the replica is gone.
var errContainerEnded = errors.New("the container ended")

// waitForStatus polls GET /api/v2/status with pool.Retry until it answers
// 200, and gives up at once when the container has ended.
func waitForStatus(pool *dockertest.Pool, containerID string, u *url.URL) error {
	client := &http.Client{Timeout: 2 * time.Second}
	status := u.JoinPath("api", "v2", "status").String()
	return pool.Retry(func() error {
		resp, err := client.Get(status)
		if err == nil {
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", status, resp.Status)
		}
		c, inspectErr := pool.Client.InspectContainer(containerID)
		var missing *dc.NoSuchContainer
		switch {
		case errors.As(inspectErr, &missing):
			return backoff.Permanent(fmt.Errorf("%w and was removed", errContainerEnded))
		case inspectErr == nil && !c.State.Running:
			return backoff.Permanent(fmt.Errorf("%w: %s", errContainerEnded, c.State.String()))
		}
		return err
	})
}

// rerunForOutput runs the image once more with the same environment but
// without AutoRemove, to read what it says before it ends.
func rerunForOutput(pool *dockertest.Pool, image string, env []string) string {
	res, err := pool.RunWithOptions(&dockertest.RunOptions{Repository: image, Env: env}, hostNetworkOnly)
	if err != nil {
		return fmt.Sprintf("[rerun failed: %v]", err)
	}
	defer pool.Purge(res)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, err := pool.Client.WaitContainerWithContext(res.Container.ID, ctx)
	if err != nil {
		return fmt.Sprintf("[the rerun did not end within 30s (%v): the first failure did not reproduce]", err)
	}
	var out bytes.Buffer
	err = pool.Client.Logs(dc.LogsOptions{Container: res.Container.ID, OutputStream: &out, ErrorStream: &out, Stdout: true, Stderr: true})
	if err != nil {
		fmt.Fprintf(&out, "[reading the rerun's logs failed: %v]", err)
	}
	return fmt.Sprintf("%s[exit code %d]", out.String(), code)
}

// hostNetworkOnly puts the container on the host's network (no bridge, no
// iptables: neither works in every sandbox) and never restarts it.
func hostNetworkOnly(hc *dc.HostConfig) {
	hc.NetworkMode = "host"
	hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
}

// purge removes the container. AutoRemove may already be removing it.
func purge(t *testing.T, pool *dockertest.Pool, res *dockertest.Resource) {
	var missing *dc.NoSuchContainer
	if err := pool.Purge(res); err != nil && !errors.As(err, &missing) {
		t.Logf("purge container %s: %v", res.Container.Name, err)
	}
}

// removeImage removes the test's image and its build layers.
func removeImage(t *testing.T, pool *dockertest.Pool, name string) {
	err := pool.Client.RemoveImageExtended(name, dc.RemoveImageOptions{Force: true})
	if err != nil && !errors.Is(err, dc.ErrNoSuchImage) {
		t.Logf("remove image %s: %v", name, err)
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// syncBuffer is a bytes.Buffer safe for the log follower and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
