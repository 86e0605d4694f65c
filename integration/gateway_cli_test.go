package integration

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/ic/delegated"
)

// pluginDir builds the host's test adapter into a fresh directory as the
// binary `name`, with a SHA256SUMS manifest (a wrong sum when corrupt).
func pluginDir(t *testing.T, name string, corrupt bool) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", bin, "./gateway/host/hosttest/testadapter")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build test adapter: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if corrupt {
		sum[0] ^= 0xff
	}
	manifest := hex.EncodeToString(sum[:]) + "  " + name + "\n"
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestGatewayCommand runs `canistry gateway` against a `canistry replica`
// process, with built-in adapters for 1.x and 2.x and a third-party
// adapter for 3.x from --plugin-dir.
func TestGatewayCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts processes")
	}
	rep := startReplica(t, t.TempDir())
	id, _ := identity.NewRandomEd25519Identity()
	pem, _ := id.ToPEM()
	idPath := filepath.Join(t.TempDir(), "gateway.pem")
	os.WriteFile(idPath, pem, 0o600)
	// The gateway key (id) controls the canister here; its owner is user,
	// who delegates to the gateway key.
	user, _ := identity.NewRandomEd25519Identity()
	a := rep.agent(t, id)
	cid, err := personal.Create(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if err := personal.Install(t.Context(), a, cid, personal.MustWasm("3.0.0"), user.Sender()); err != nil {
		t.Fatal(err)
	}

	gw := exec.Command(canistryBin, "gateway", "--replica", rep.URL.String(), "--listen", "127.0.0.1:0",
		"--identity", idPath, "--plugin-dir", pluginDir(t, "personal3", false), "--builtin-adapters", "personal1,personal2")
	stdout, _ := gw.StdoutPipe()
	stderr := &syncBuffer{}
	gw.Stderr = stderr
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { gw.Process.Kill(); gw.Wait() }()
	urlc := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			urlc <- s.Text()
		}
	}()
	var url string
	select {
	case url = <-urlc:
	case <-time.After(60 * time.Second):
		t.Fatalf("gateway did not print its URL; stderr:\n%s", stderr)
	}
	chain, err := delegated.Delegate(user, id.PublicKey(), time.Now().Add(time.Hour), []principal.Principal{cid}, nil)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := chain.Header()
	c := newClient(url, header)
	ctx := context.Background()
	if _, proto, err := c.put(ctx, cid.String(), "from", "a plugin-dir adapter", nil); err != nil || proto != "personal/3.0.0" {
		t.Fatalf("put through the plugin-dir adapter = %s, %v\n%s", proto, err, stderr)
	}
	if !strings.Contains(stderr.String(), "adapter=personal3") {
		t.Errorf("gateway logs do not show the plugin-dir adapter:\n%s", stderr)
	}
}

// TestGatewayCommandRefusesBadChecksum: a plugin whose binary does not
// match its manifest line keeps the gateway from starting.
func TestGatewayCommandRefusesBadChecksum(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	cmd := exec.Command(canistryBin, "gateway", "--replica", "http://127.0.0.1:1", "--listen", "127.0.0.1:0",
		"--plugin-dir", pluginDir(t, "personal3", true), "--builtin-adapters", "")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "checksums did not match") {
		t.Errorf("gateway with a bad checksum: %v\n%s", err, out)
	}
}
