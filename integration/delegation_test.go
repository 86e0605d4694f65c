package integration

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/principal"
)

// node runs the JavaScript example with the repository's node_modules.
// NODE_PRESERVE_SYMLINKS: a worktree's node_modules may be a symlink, and
// its packages must find each other through it.
func node(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	root := repoRoot()
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@dfinity", "identity")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node_modules are missing in CI (run npm ci): %v", err)
		}
		t.Skip("node_modules missing: run `npm ci` to enable the JavaScript client test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "NODE_PRESERVE_SYMLINKS=1"), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestUsersActAsThemselves: a user key made in JavaScript with
// @dfinity/identity delegates to the gateway's key; through the gateway
// the user writes and reads their own canister, which sees them as the
// caller; the gateway's principal neither controls nor owns it, and the
// dev identity — its controller — is refused by the canister's owner
// check.
func TestUsersActAsThemselves(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev and node")
	}
	var user struct{ Secret, Principal string }
	if err := json.Unmarshal(node(t, nil, "examples/js/delegate.mjs", "keygen"), &user); err != nil {
		t.Fatal(err)
	}
	d := startDev(t, t.TempDir())
	cid := d.admin(t, "create", "--protocol", "2.0.0", "--owner", user.Principal)

	var demo struct {
		Principal, Read, WithoutDelegation, Header string
	}
	out := node(t, []string{"CANISTRY_GATEWAY=" + d.gateway, "CANISTRY_CANISTER=" + cid, "CANISTRY_USER_SECRET=" + user.Secret},
		"examples/js/delegate.mjs", "demo")
	if err := json.Unmarshal(out, &demo); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if demo.Principal != user.Principal || demo.Read != "written by "+user.Principal {
		t.Errorf("the JS client as %s read %q", demo.Principal, demo.Read)
	}
	if demo.WithoutDelegation != "unauthenticated" {
		t.Errorf("without Canistry-Delegation: %q, want unauthenticated", demo.WithoutDelegation)
	}

	// The JS-made header works from Go too (the same format both ways).
	ctx := context.Background()
	if doc, _, err := newClient(d.gateway, demo.Header).get(ctx, cid, "notes/js"); err != nil || string(doc.GetContent()) != demo.Read {
		t.Errorf("the JS header from Go: %v, %v", doc, err)
	}

	gatewayKey, _ := hex.DecodeString(d.gatewayKey)
	gatewayPrincipal := principal.NewSelfAuthenticating(gatewayKey)
	for _, c := range controllers(t, d, cid) {
		if c.String() == gatewayPrincipal.String() {
			t.Errorf("the gateway's principal %s controls the user's canister", c)
		}
	}
	// The dev identity controls the canister but does not own it: its
	// valid delegation is refused by the canister itself.
	_, _, err := newClient(d.gateway, d.session(t, cid)).put(ctx, cid, "notes/js", "overwritten", nil)
	// (personal/2.0.0's inspect_message refuses updates from anyone but the owner.)
	if connect.CodeOf(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "inspect_message explicitly refused") {
		t.Errorf("the controller's delegation: %v, want permission_denied by the canister's owner check", err)
	}
	// The banner's delegation names the dev canisters only.
	if _, _, err := newClient(d.gateway, d.delegation).get(ctx, cid, "notes/js"); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("a delegation whose targets exclude the canister: %v, want permission_denied", err)
	}
	if doc, _, err := newClient(d.gateway, demo.Header).get(ctx, cid, "notes/js"); err != nil || string(doc.GetContent()) != demo.Read {
		t.Errorf("after the refused writes: %v, %v (nothing may have been written)", doc, err)
	}
}

// controllers reads the canister's controllers from the certified state.
func controllers(t *testing.T, d *devProcess, cid string) []principal.Principal {
	t.Helper()
	u, _ := url.Parse(d.replica)
	a, err := agent.New(agent.Config{FetchRootKey: true, ClientConfig: []agent.ClientOption{agent.WithHostURL(u)}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := a.GetCanisterControllers(principal.MustDecode(cid))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestTwoGatewaysTwoKeys: a second gateway with its own key on the same
// replica refuses the first one's delegations and serves its own; the two
// share no state.
func TestTwoGatewaysTwoKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev and a gateway")
	}
	d := startDev(t, t.TempDir())
	keyB := filepath.Join(t.TempDir(), "b.pem")
	if out, err := exec.Command(canistryBin, "identity", "new", "--out", keyB).CombinedOutput(); err != nil {
		t.Fatalf("identity new: %v\n%s", err, out)
	}
	gatewayB := startGateway(t, d.replica, keyB)
	ctx := context.Background()
	cid := d.canisters["2.0.0"]

	if _, _, err := newClient(gatewayB, d.delegation).get(ctx, cid, "k"); connect.CodeOf(err) != connect.CodeUnauthenticated ||
		!strings.Contains(err.Error(), "not to this gateway's key") {
		t.Errorf("gateway A's delegation on gateway B: %v, want unauthenticated", err)
	}
	args := []string{"session", "--identity", filepath.Join(d.stateDir, "identity.pem"), "--gateway", gatewayB, "--target", cid, "--ttl", "10m"}
	out, err := exec.Command(canistryBin, args...).Output()
	if err != nil {
		t.Fatalf("canistry %v: %v", args, err)
	}
	forB := strings.TrimSpace(string(out))
	if _, _, err := newClient(gatewayB, forB).put(ctx, cid, "via", "gateway B", nil); err != nil {
		t.Fatalf("gateway B with its own delegation: %v", err)
	}
	if doc, _, err := newClient(d.gateway, d.delegation).get(ctx, cid, "via"); err != nil || string(doc.GetContent()) != "gateway B" {
		t.Errorf("gateway A reads what B wrote: %v, %v", doc, err)
	}
	if _, _, err := newClient(d.gateway, forB).get(ctx, cid, "via"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("gateway B's delegation on gateway A: %v, want unauthenticated", err)
	}
}

// startGateway runs `canistry gateway` with the built-in adapters and
// returns its URL.
func startGateway(t *testing.T, replicaURL, keyPath string) string {
	t.Helper()
	gw := exec.Command(canistryBin, "gateway", "--replica", replicaURL, "--listen", "127.0.0.1:0", "--identity", keyPath)
	stdout, _ := gw.StdoutPipe()
	stderr := &syncBuffer{}
	gw.Stderr = stderr
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Process.Kill(); gw.Wait() })
	urlc := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			urlc <- s.Text()
		}
	}()
	select {
	case u := <-urlc:
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("gateway did not print its URL; stderr:\n%s", stderr)
	}
	return ""
}
