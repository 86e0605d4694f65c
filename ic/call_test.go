package ic_test

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// callTamperProxy lets the test rewrite the body of a synchronous call's
// answer (the certificate the reply is read from), or (tamper returning
// nil) answer 202 Accepted, which makes the client poll. It counts the
// answers it changed, so a test knows its change was exercised.
type callTamperProxy struct {
	*replicatest.Proxy
	tampered atomic.Int64
}

func (p *callTamperProxy) set(tamper func([]byte) []byte) {
	if tamper == nil {
		p.SetRewrite(nil)
		return
	}
	p.SetRewrite(func(endpoint string, _, answer []byte) []byte {
		if endpoint != "call" {
			return answer
		}
		changed := tamper(answer)
		if changed == nil || !bytes.Equal(changed, answer) {
			p.tampered.Add(1)
		}
		return changed
	})
}

// clientThroughProxy is a client acting as id that reaches r through a
// callTamperProxy.
func clientThroughProxy(t *testing.T, r *replicatest.Replica, id identity.Identity) (*callTamperProxy, *ic.Client) {
	t.Helper()
	proxy := &callTamperProxy{Proxy: replicatest.NewProxy(r.URL)}
	pool, err := ic.NewPool(ic.Config{URL: proxy.Serve(t), FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := pool.For(id)
	if err != nil {
		t.Fatal(err)
	}
	return proxy, c
}

// TestCallVerifiesTheCertificate: ic.Client.Call reads a synchronous
// call's reply only from a certificate that verifies — a flipped bit in
// its signature, or a reply altered in its tree (which agent-go 0.9.2's
// own CallAndWait accepts), is an *ic.UnverifiedError — and a clean call
// through the same proxy still works, answered at once or by polling.
func TestCallVerifiesTheCertificate(t *testing.T) {
	t.Parallel()
	r := replicatest.Start(t, replica.Config{})
	id, _ := identity.NewRandomEd25519Identity()
	cid := installPersonal(t, r, id, "1.0.0")
	proxy, c := clientThroughProxy(t, r, id)
	ctx := t.Context()
	// The value is long and distinctive so that it occurs in the answer
	// only as the reply of get; the forgery has the same length, so the
	// CBOR stays well formed and only the hash tree's digest changes.
	const value, forged = "verifyown-value-original", "verifyown-value-forged!!"
	putArg, _ := candid.Marshal([]any{"k", []byte(value)})
	if _, err := c.Call(ctx, cid, "put", putArg); err != nil {
		t.Fatalf("clean put: %v", err)
	}
	getArg, _ := candid.Marshal([]any{"k"})
	get := func() (string, error) {
		reply, err := c.Call(ctx, cid, "get", getArg)
		if err != nil {
			return "", err
		}
		var got *[]byte
		if err := candid.Unmarshal(reply, []any{&got}); err != nil || got == nil {
			t.Fatalf("get replied %x: %v", reply, err)
		}
		return string(*got), nil
	}
	alterReply := func(body []byte) []byte {
		return bytes.Replace(body, []byte(value), []byte(forged), 1)
	}

	proxy.set(alterReply)
	req, err := c.Agent().CreateRawAPIRequest(agent.RequestTypeCall, cid, "get", getArg)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	if err := req.CallAndWaitWithContext(ctx, &raw); err != nil || !bytes.Contains(raw, []byte(forged)) {
		t.Fatalf("agent-go's CallAndWait = %q, %v; want it to accept the altered reply (the gap Call closes)", raw, err)
	}

	for name, tamper := range map[string]func([]byte) []byte{
		"an altered reply":               alterReply,
		"a flipped bit in the signature": replicatest.FlipCallSignature,
	} {
		proxy.set(tamper)
		before := proxy.tampered.Load()
		got, err := get()
		var unverified *ic.UnverifiedError
		if !errors.As(err, &unverified) || unverified.Kind != "call" {
			t.Errorf("%s: Call = %q, %v; want an *ic.UnverifiedError of a call", name, got, err)
		}
		if proxy.tampered.Load() == before {
			t.Errorf("%s: the proxy rewrote no call answer: the test did not exercise the certificate", name)
		}
		proxy.set(nil)
		if got, err := get(); err != nil || got != value {
			t.Fatalf("clean get after %s = %q, %v; want %q", name, got, err, value)
		}
	}

	// A 202 instead of the certificate: the reply comes from polling the
	// request's certified status.
	proxy.set(func([]byte) []byte { return nil })
	before := proxy.tampered.Load()
	if got, err := get(); err != nil || got != value {
		t.Errorf("get answered 202 = %q, %v; want %q by polling", got, err, value)
	}
	if proxy.tampered.Load() == before {
		t.Error("the proxy answered no call with 202: polling was not exercised")
	}
}

// TestManagementCallsAreVerified: creating and installing a canister
// through ic.Client (what the admin commands do) works, routed by the
// canister concerned, and each management call whose certificate is
// forged is an *ic.UnverifiedError instead of an answer agent-go would
// have believed.
func TestManagementCallsAreVerified(t *testing.T) {
	t.Parallel()
	r := replicatest.Start(t, replica.Config{})
	id, _ := identity.NewRandomEd25519Identity()
	proxy, c := clientThroughProxy(t, r, id)
	ctx := t.Context()
	cid, err := personal.CreateRelease(ctx, c, "1.0.0")
	if err != nil {
		t.Fatalf("create and install through ic.Client: %v", err)
	}
	if info, err := c.CanisterInfo(ctx, cid); err != nil || len(info.ModuleHash) == 0 {
		t.Fatalf("the installed canister: %+v, %v", info, err)
	}
	proxy.set(replicatest.FlipCallSignature)
	for name, op := range map[string]func() error{
		"create":  func() error { _, err := personal.Create(ctx, c); return err },
		"upgrade": func() error { return personal.UpgradeTo(ctx, c, cid, "1.0.0") },
	} {
		before := proxy.tampered.Load()
		err := op()
		var unverified *ic.UnverifiedError
		if !errors.As(err, &unverified) {
			t.Errorf("%s with a forged certificate: %v, want an *ic.UnverifiedError", name, err)
		}
		if proxy.tampered.Load() == before {
			t.Errorf("%s: the proxy forged nothing", name)
		}
	}
}
