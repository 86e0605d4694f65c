package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

const (
	// dockerExpireSeconds stops a container even when the test process dies
	// before its cleanup: the engine itself runs the stop timer.
	dockerExpireSeconds = 600
	// dockerFirstResponseWait bounds the wait for /api/v2/status.
	dockerFirstResponseWait = 60 * time.Second
)

// dockerPool connects to the engine (DOCKER_HOST or the default socket).
// Without one the test skips, unless CANISTRY_TEST_DOCKER=required (CI's
// .ci/run starts an engine, and a missing one must not pass unnoticed).
func dockerPool(t *testing.T) *dockertest.Pool {
	t.Helper()
	if err := dockerAnswers(); err != nil {
		if required, _ := dockerRequired(); required {
			t.Fatalf("%s=required, but no Docker engine answers: %v", dockerEnv, err)
		}
		skipForEnv(t, fmt.Sprintf("no Docker engine answers (%v); %s=required makes that a failure", err, dockerEnv))
	}
	pool, err := dockertest.NewPool("")
	if err != nil {
		t.Fatalf("the Docker engine answered, yet: %v", err)
	}
	pool.MaxWait = dockerFirstResponseWait
	return pool
}

// dockerAnswers pings the engine once per test binary: every Docker test
// gets the same answer (and the same skip reason) without waiting again.
var dockerAnswers = sync.OnceValue(func() error {
	pool, err := dockertest.NewPool("")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pool.Client.PingWithContext(ctx)
})

// hostNetworkOnly puts the container on the host's network (no bridge, no
// iptables: neither works in every sandbox) and never restarts it.
func hostNetworkOnly(hc *dc.HostConfig) {
	hc.NetworkMode = "host"
	hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
}

// autoRemovedOnHostNetwork is hostNetworkOnly for a container the engine
// deletes as soon as it ends.
func autoRemovedOnHostNetwork(hc *dc.HostConfig) {
	hostNetworkOnly(hc)
	hc.AutoRemove = true
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

// rerunForOutput runs the image once more with the same environment and
// mounts but without AutoRemove, to read what it says before it ends.
func rerunForOutput(pool *dockertest.Pool, image string, env, mounts []string) string {
	res, err := pool.RunWithOptions(&dockertest.RunOptions{Repository: image, Env: env, Mounts: mounts}, hostNetworkOnly)
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
