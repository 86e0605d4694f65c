package integration

import (
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// dockerReplica is `canistry replica` in a container of the FROM scratch
// image, on the host's network, serving on 127.0.0.1 only.
type dockerReplica struct {
	URL *url.URL

	pool      *dockertest.Pool
	image     string   // name:latest, built once per test
	mounts    []string // e.g. a named volume on /state
	container *dockertest.Resource
	logs      *syncBuffer
}

// startReplicaInDocker builds the static binary and the image from
// docker/Dockerfile, runs it with host networking on a free loopback port and
// waits for its first /api/v2/status answer. mounts are docker -v specs such
// as "volume:/state". Containers and the image are removed when the test ends.
func startReplicaInDocker(t *testing.T, mounts ...string) *dockerReplica {
	t.Helper()
	r := &dockerReplica{pool: dockerPool(t), image: "canistry-replica-test-" + randomHex(t, 6), mounts: mounts}
	ctxDir := staticBuildContext(t)
	port := freeLoopbackPort(t)
	began := time.Now()
	res, err := r.pool.BuildAndRunWithBuildOptions(
		&dockertest.BuildOptions{ContextDir: ctxDir, Dockerfile: "Dockerfile"},
		// No Tag: BuildAndRun tags the image Name:latest, and any other tag
		// would make RunWithOptions try to pull Name:Tag from a registry.
		&dockertest.RunOptions{Name: r.image, Env: listenEnv(port), Mounts: mounts},
		autoRemovedOnHostNetwork,
	)
	// The image exists once the build succeeded, even if the run failed.
	t.Cleanup(func() { removeImage(t, r.pool, r.image) })
	if err != nil {
		t.Fatalf("build and run the replica image: %v", err)
	}
	t.Logf("image build + container start: %v", time.Since(began).Round(time.Millisecond))
	r.adopt(t, res, port)
	return r
}

// restart kills the container (SIGKILL, like kill -9) and runs the same
// image with the same mounts on a new port.
func (r *dockerReplica) restart(t *testing.T) {
	t.Helper()
	purge(t, r.pool, r.container)
	port := freeLoopbackPort(t)
	res, err := r.pool.RunWithOptions(
		&dockertest.RunOptions{Repository: r.image, Env: listenEnv(port), Mounts: r.mounts},
		autoRemovedOnHostNetwork,
	)
	if err != nil {
		t.Fatalf("run the replica image again: %v", err)
	}
	r.adopt(t, res, port)
}

// adopt makes res the replica's container: it is stopped by the engine after
// dockerExpireSeconds whatever happens to this process, its output is kept,
// and it must answer /api/v2/status before adopt returns.
func (r *dockerReplica) adopt(t *testing.T, res *dockertest.Resource, port int) {
	t.Helper()
	r.container = res
	r.URL = &url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
	r.logs = new(syncBuffer)
	logs := r.logs
	t.Cleanup(func() { purge(t, r.pool, res) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of replica container %s:\n%s", res.Container.Name, logs)
		}
	})
	if err := res.Expire(dockerExpireSeconds); err != nil {
		t.Fatalf("expire: %v", err)
	}
	logsEnded := followLogs(r.pool, res.Container.ID, logs)
	if err := waitForStatus(r.pool, res.Container.ID, r.URL); err != nil {
		if errors.Is(err, errContainerEnded) && !logsWereRead(logsEnded) {
			// AutoRemove deleted it before its logs could be read.
			t.Fatalf("replica in Docker never answered /api/v2/status: %v\nits output, from a second run of the image:\n%s",
				err, rerunForOutput(r.pool, r.image, listenEnv(port), r.mounts))
		}
		t.Fatalf("replica in Docker never answered /api/v2/status: %v", err)
	}
	t.Logf("container start to first /api/v2/status response: %v",
		time.Since(res.Container.State.StartedAt).Round(time.Millisecond))
}

// listenEnv makes the replica listen on 127.0.0.1:port (host networking:
// that is the host's loopback, nothing else can reach it).
func listenEnv(port int) []string {
	return []string{fmt.Sprintf("CANISTRY_LISTEN=127.0.0.1:%d", port)}
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

// dockerVolume is a fresh named volume, removed when the test ends.
func dockerVolume(t *testing.T, pool *dockertest.Pool) string {
	t.Helper()
	name := "canistry-replica-test-state-" + randomHex(t, 6)
	if _, err := pool.Client.CreateVolume(dc.CreateVolumeOptions{Name: name}); err != nil {
		t.Fatalf("create volume: %v", err)
	}
	t.Cleanup(func() {
		if err := pool.Client.RemoveVolumeWithOptions(dc.RemoveVolumeOptions{Name: name, Force: true}); err != nil {
			t.Logf("remove volume %s: %v", name, err)
		}
	})
	return name
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
