package replica_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

func labels(ls ...any) []hashtree.Label {
	out := make([]hashtree.Label, len(ls))
	for i, l := range ls {
		switch v := l.(type) {
		case string:
			out[i] = hashtree.Label(v)
		case []byte:
			out[i] = v
		}
	}
	return out
}

// wantHTTPStatus checks that err is the replica's refusal with that HTTP
// status (agent-go reports it as "(404) ...").
func wantHTTPStatus(t *testing.T, what string, err error, status string) {
	t.Helper()
	if err == nil || !strings.HasPrefix(err.Error(), "("+status+")") {
		t.Errorf("%s: %v; want HTTP %s", what, err, status)
	}
}

// callWithKnownID sends an update call signed by id whose request id the
// test knows (agent-go keeps its own unexported), and waits for its reply.
func callWithKnownID(t *testing.T, a *agent.Agent, id identity.Identity, canister principal.Principal, method string) agent.RequestID {
	t.Helper()
	arg, err := candid.Marshal([]any{})
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	req := agent.Request{
		Type: agent.RequestTypeCall, Sender: id.Sender(), CanisterID: canister, MethodName: method,
		Arguments: arg, Nonce: nonce, IngressExpiry: uint64(time.Now().Add(4 * time.Minute).UnixNano()),
	}
	rid := agent.NewRequestID(req)
	sig, err := rid.Sign(id)
	if err != nil {
		t.Fatal(err)
	}
	data, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Client().Call(context.Background(), canister, data); err != nil {
		t.Fatalf("call %s: %v", method, err)
	}
	return rid
}

// TestReadStateRequestStatusIsTheSenders closes the leak where an anonymous
// read of ["request_status"] certified every recent reply.
func TestReadStateRequestStatusIsTheSenders(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	owner, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	a := r.Agent(t, owner)
	id := installCounter(t, a)
	rid := callWithKnownID(t, a, owner, id, "inc")
	stranger := r.Agent(t, nil)

	_, err = stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status")})
	wantHTTPStatus(t, "a stranger reads the whole request_status subtree", err, "404")
	_, err = a.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status")})
	wantHTTPStatus(t, "even the owner reads the whole request_status subtree", err, "404")
	_, err = stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status", rid[:])})
	wantHTTPStatus(t, "a stranger reads the owner's request", err, "403")
	_, err = stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status", rid[:], "reply")})
	wantHTTPStatus(t, "a stranger reads the owner's reply", err, "403")
	_, err = a.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status", []byte("short"))})
	wantHTTPStatus(t, "a request id of 5 bytes", err, "400")
	other := make([]byte, 32)
	_, err = a.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status", rid[:]), labels("request_status", other)})
	wantHTTPStatus(t, "two request ids in one read", err, "400")

	// What the spec allows still answers: the sender's own request, and
	// an unknown id (the certificate proves its absence).
	tree, err := a.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status", rid[:], "status")})
	if err != nil {
		t.Fatalf("the owner reads its own request's status: %v", err)
	}
	if status, err := hashtree.Lookup(tree, labels("request_status", rid[:], "status")...); err != nil || string(status) != "replied" {
		t.Errorf("status = %q, %v; want replied", status, err)
	}
	if _, err := stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("request_status", other)}); err != nil {
		t.Errorf("an unknown request id: %v; want an answer proving absence", err)
	}
}

// TestReadStateCanisterPaths closes the leak where ["canister", id]
// certified the canister's private metadata to anybody.
func TestReadStateCanisterPaths(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	stranger := r.Agent(t, nil)

	for _, p := range [][]hashtree.Label{
		labels("canister"),
		labels("canister", id.Raw),
		labels("canister", id.Raw, "metadata"),
		labels("canister", id.Raw, "certified_data"),
		labels("canister", id.Raw, "module_hash", "x"),
		labels("nonsense"),
		{},
	} {
		_, err := stranger.ReadStateCertificate(id, [][]hashtree.Label{p})
		wantHTTPStatus(t, "a stranger reads "+showLabels(p), err, "404")
	}
	_, err := stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("canister", id.Raw, "metadata", "motoko:stable-types")})
	wantHTTPStatus(t, "a stranger reads a private custom section", err, "403")
	_, err = stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("canister", id.Raw, "metadata", []byte{0xff})})
	wantHTTPStatus(t, "a section name that is not UTF-8", err, "400")

	if _, err := a.GetCanisterMetadata(id, "motoko:stable-types"); err != nil {
		t.Errorf("the controller reads a private custom section: %v", err)
	}
	if _, err := stranger.GetCanisterMetadata(id, "candid:service"); err != nil {
		t.Errorf("a stranger reads the public candid:service: %v", err)
	}
	if _, err := stranger.GetCanisterModuleHash(id); err != nil {
		t.Errorf("a stranger reads the module hash: %v", err)
	}
	if _, err := stranger.GetCanisterControllers(id); err != nil {
		t.Errorf("a stranger reads the controllers: %v", err)
	}
	if _, err := stranger.ReadStateCertificate(id, [][]hashtree.Label{labels("subnet"), labels("time")}); err != nil {
		t.Errorf("a stranger reads /subnet and /time: %v", err)
	}
}

func showLabels(p []hashtree.Label) string {
	parts := make([]string, len(p))
	for i, l := range p {
		parts[i] = string(l)
		if len(l) == 10 { // a canister id
			parts[i] = principal.Principal{Raw: l}.String()
		}
	}
	return "/" + strings.Join(parts, "/")
}
