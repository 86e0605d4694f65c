package certify

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

type agentJSLookup struct {
	Status string `json:"status"`
	Value  string `json:"value,omitempty"`
}

// verifyWithAgentJS runs testdata/verify_cert.mjs under Node.js with @dfinity/agent, which must be
// resolvable from this directory (the repository's node_modules). Skips when it is not.
func verifyWithAgentJS(t *testing.T, cert, rootKey []byte, ecid string, paths []Path) ([]agentJSLookup, error) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "node_modules", "@dfinity", "agent")); err != nil {
		t.Skip("@dfinity/agent not installed in the repository's node_modules")
	}
	lookups := make([]map[string][]string, len(paths))
	for i, p := range paths {
		labels := make([]string, len(p))
		for j, l := range p {
			labels[j] = hex.EncodeToString(l)
		}
		lookups[i] = map[string][]string{"path": labels}
	}
	in, err := json.Marshal(map[string]any{
		"certificate": hex.EncodeToString(cert), "rootKey": hex.EncodeToString(rootKey),
		"canisterId": ecid, "lookups": lookups,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "verify_cert.mjs"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &agentJSError{err: err, stderr: stderr.String()}
	}
	var result struct {
		Lookups []agentJSLookup `json:"lookups"`
	}
	if err := json.Unmarshal(out, &result); err != nil {
		t.Fatalf("agent-js output %q: %v", out, err)
	}
	return result.Lookups, nil
}

type agentJSError struct {
	err    error
	stderr string
}

func (e *agentJSError) Error() string { return e.err.Error() + ": " + e.stderr }

// TestCertificateAcceptedByAgentJS checks @dfinity/agent 3.4.3 accepts the certificates (with
// delegation) and reads what its query verification needs from a /subnet certificate.
func TestCertificateAcceptedByAgentJS(t *testing.T) {
	k := newTestKeys(t)
	sid := k.SubnetID().Raw
	paths := []Path{lbl("subnet"), lbl("request_status", "rid-2"), lbl("request_status", "rid-9", "status")}
	cert := certificateBytes(t, k, time.Now(), paths)
	wantLookups := []Path{
		{[]byte("subnet"), sid, []byte("canister_ranges")},
		{[]byte("subnet"), sid, []byte("node"), k.NodeID().Raw, []byte("public_key")},
		lbl("request_status", "rid-2", "status"),
		lbl("request_status", "rid-9", "status"),
	}
	for _, ecid := range []string{"aaaaa-aa", "rrkah-fqaaa-aaaaa-aaaaq-cai", principal.NewSelfAuthenticating(k.NodeKeyDER()).Encode()} {
		got, err := verifyWithAgentJS(t, cert, k.RootKeyDER(), ecid, wantLookups)
		if err != nil {
			t.Fatalf("agent-js rejected the certificate for %s: %v", ecid, err)
		}
		want := []agentJSLookup{
			{Status: "Found", Value: hex.EncodeToString(k.rangesValue)},
			{Status: "Found", Value: hex.EncodeToString(k.NodeKeyDER())},
			{Status: "Found", Value: hex.EncodeToString([]byte("replied"))},
			{Status: "Absent"},
		}
		if len(got) != len(want) {
			t.Fatalf("lookups = %+v", got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: lookup %q = %+v; want %+v", ecid, wantLookups[i], got[i], want[i])
			}
		}
	}
	if _, err := verifyWithAgentJS(t, cert, newTestKeys(t).RootKeyDER(), "aaaaa-aa", nil); err == nil {
		t.Fatal("agent-js accepted the certificate under a foreign root key")
	}
	stale := certificateBytes(t, k, time.Now().Add(-time.Hour), nil)
	if _, err := verifyWithAgentJS(t, stale, k.RootKeyDER(), "aaaaa-aa", nil); err == nil {
		t.Fatal("agent-js accepted an hour-old certificate")
	}
}

func certificateBytes(t *testing.T, k *Keys, now time.Time, paths []Path) []byte {
	t.Helper()
	c, err := NewCertifier(k, now)
	if err != nil {
		t.Fatal(err)
	}
	certified, err := c.Certify(replicaState(k), now)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := certified.Certificate(paths)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
