package replica_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/exec"
	"github.com/canistry/canistry/replica/replicatest"
)

// envelope builds a signed call envelope the way agent-go does, with the
// parts a test wants to break exposed.
func envelope(t *testing.T, id identity.Identity, canister principal.Principal, method string, arg []byte, expiry time.Time) (agent.Request, []byte) {
	t.Helper()
	req := agent.Request{
		Type: agent.RequestTypeCall, Sender: id.Sender(), CanisterID: canister,
		MethodName: method, Arguments: arg, IngressExpiry: uint64(expiry.UnixNano()), Nonce: []byte("nonce"),
	}
	rid := agent.NewRequestID(req)
	sig, err := rid.Sign(id)
	if err != nil {
		t.Fatal(err)
	}
	body, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig})
	if err != nil {
		t.Fatal(err)
	}
	return req, body
}

func post(t *testing.T, r *replicatest.Replica, path string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(r.URL.String()+path, "application/cbor", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBadInputGetsTheICsAnswer covers every kind of bad input of the issue;
// after each, the replica must still serve the counter.
func TestBadInputGetsTheICsAnswer(t *testing.T) {
	r := replicatest.Start(t, replica.Config{Limits: exec.Limits{Update: 50_000_000}})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	me, _ := identity.NewRandomEd25519Identity()
	callPath := "/api/v3/canister/" + id.String() + "/call"

	t.Run("malformed CBOR", func(t *testing.T) {
		code, body := post(t, r, callPath, []byte{0xa1, 0xff, 0x00})
		if code != http.StatusBadRequest || body == "" {
			t.Fatalf("status %d body %q", code, body)
		}
	})
	t.Run("wrong signature", func(t *testing.T) {
		req, _ := envelope(t, me, id, "inc", []byte("DIDL\x00\x00"), time.Now().Add(time.Minute))
		other, _ := identity.NewRandomEd25519Identity()
		sig, _ := agent.NewRequestID(req).Sign(other)
		body, _ := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: me.PublicKey(), SenderSig: sig})
		code, msg := post(t, r, callPath, body)
		if code != http.StatusBadRequest || !strings.Contains(strings.ToLower(msg), "signature") {
			t.Fatalf("status %d body %q", code, msg)
		}
	})
	t.Run("expired request", func(t *testing.T) {
		_, body := envelope(t, me, id, "inc", []byte("DIDL\x00\x00"), time.Now().Add(-time.Minute))
		code, msg := post(t, r, callPath, body)
		if code != http.StatusBadRequest || !strings.HasPrefix(msg, "Invalid request expiry: ") {
			t.Fatalf("status %d body %q", code, msg)
		}
	})
	t.Run("ingress message over 2 MiB", func(t *testing.T) {
		big := make([]byte, 2<<20+1)
		_, body := envelope(t, me, id, "echo", big, time.Now().Add(time.Minute))
		code, msg := post(t, r, callPath, body)
		if code != http.StatusRequestEntityTooLarge || msg == "" {
			t.Fatalf("status %d body %q", code, msg)
		}
	})
	t.Run("unknown canister", func(t *testing.T) {
		ghost := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
		err := a.Call(ghost, "inc", nil, nil)
		if err == nil || !strings.Contains(err.Error(), "(3)") || !strings.Contains(err.Error(), "IC0301") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown method", func(t *testing.T) {
		err := a.Call(id, "no_such_method", nil, nil)
		if err == nil || !strings.Contains(err.Error(), "IC0536") || !strings.Contains(err.Error(), "no_such_method") {
			t.Fatalf("err = %v", err)
		}
		err = a.Query(id, "no_such_query", nil, nil)
		if err == nil || !strings.Contains(err.Error(), "IC0536") {
			t.Fatalf("query err = %v", err)
		}
	})
	t.Run("trap", func(t *testing.T) {
		err := a.Call(id, "fail", nil, nil)
		if err == nil || !strings.Contains(err.Error(), "(5)") || !strings.Contains(err.Error(), "IC0503") ||
			!strings.Contains(err.Error(), "counter failed on purpose") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("endless loop", func(t *testing.T) {
		err := a.Call(id, "spin", nil, nil)
		if err == nil || !strings.Contains(err.Error(), "IC0522") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("non-controller manages the canister", func(t *testing.T) {
		stranger := r.Agent(t, nil)
		err := replicatest.Install(stranger, id, counterWasm, nil, replicatest.ModeReinstall)
		if err == nil || !strings.Contains(err.Error(), "IC0512") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("create_canister over ingress", func(t *testing.T) {
		err := a.Call(replicatest.Management, "create_canister", []any{struct{}{}}, nil)
		if err == nil || !strings.Contains(err.Error(), "Only canisters") {
			t.Fatalf("err = %v", err)
		}
	})

	// The trap, the loop and the refusals changed nothing.
	if got := inc(t, a, id); got != 1 {
		t.Fatalf("after bad input inc = %d, want 1", got)
	}
}

// TestReplayIsNotExecutedTwice sends the very same signed envelope twice.
func TestReplayIsNotExecutedTwice(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	me, _ := identity.NewRandomEd25519Identity()
	_, body := envelope(t, me, id, "inc", []byte("DIDL\x00\x00"), time.Now().Add(time.Minute))
	for i := 0; i < 2; i++ {
		if code, msg := post(t, r, "/api/v3/canister/"+id.String()+"/call", body); code != http.StatusOK {
			t.Fatalf("send %d: status %d %q", i, code, msg)
		}
	}
	if got := get(t, a, id); got != 1 {
		t.Fatalf("after a replayed inc get = %d, want 1", got)
	}
}
