package delegated

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// tamperProxy lets the test rewrite query answers (with the request's
// id, which node signatures cover); its read_state count is how often the
// node keys were read.
type tamperProxy struct{ *replicatest.Proxy }

func (p *tamperProxy) set(tamper func(agent.RequestID, *agent.Response)) {
	if tamper == nil {
		p.SetRewrite(nil)
		return
	}
	p.SetRewrite(func(endpoint string, req, answer []byte) []byte {
		if endpoint != "query" {
			return answer
		}
		return rewrite(req, answer, tamper)
	})
}

func (p *tamperProxy) readStates() int64 { return p.Count("read_state") }

// rewrite applies tamper to the answer of the query envelope req.
func rewrite(req, answer []byte, tamper func(agent.RequestID, *agent.Response)) []byte {
	var env struct {
		Content map[string]any `cbor:"content"`
	}
	var resp agent.Response
	if cbor.Unmarshal(req, &env) != nil || cbor.Unmarshal(answer, &resp) != nil {
		panic("the proxy cannot read a query")
	}
	var fields []certification.KeyValuePair
	for k, v := range env.Content {
		fields = append(fields, certification.KeyValuePair{Key: k, Value: v})
	}
	id, err := certification.RepresentationIndependentHash(fields)
	if err != nil {
		panic(err)
	}
	tamper(agent.RequestID(id), &resp)
	out, err := cbor.Marshal(resp)
	if err != nil {
		panic(err)
	}
	return out
}

// proxied is a personal canister on a replica behind a tamperProxy and a
// Sender (as the canister's owner) through the proxy.
func proxied(t *testing.T) (*tamperProxy, *Sender, principal.Principal) {
	t.Helper()
	proxy, sender, cid, _ := proxiedWithAdmin(t)
	return proxy, sender, cid
}

// proxiedWithAdmin is proxied and an agent (the replica's admin, not
// through the proxy) that creates more canisters.
func proxiedWithAdmin(t *testing.T) (*tamperProxy, *Sender, principal.Principal, *agent.Agent) {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	owner, _ := identity.NewRandomEd25519Identity()
	admin := r.Agent(t, nil)
	cid := replicatest.CreateCanister(t, admin)
	arg, _ := candid.Marshal([]any{struct {
		Owner principal.Principal `ic:"owner"`
	}{owner.Sender()}})
	if err := replicatest.Install(admin, cid, canisters.MustWasm("personal/2.0.0/canister.wasm"), arg, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	proxy := &tamperProxy{replicatest.NewProxy(r.URL)}
	u := proxy.Serve(t)
	pool, err := ic.NewPool(ic.Config{URL: u, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	base, err := pool.For(owner)
	if err != nil {
		t.Fatal(err)
	}
	return proxy, NewSender(base, owner), cid, admin
}

// TestOneSubnetReadForAFleet: the node keys are cached per subnet and a
// canister's subnet is found in the cached canister ranges, so queries to
// 100 canisters never queried before, all on the replica's one subnet,
// read /subnet once in all — also when the first 50 are asked at once.
// (Cached per canister, as before, they cost 100 reads.) The canisters
// are empty: the IC's reject of a query to one is signed like a reply.
func TestOneSubnetReadForAFleet(t *testing.T) {
	const fleet = 100
	ctx := context.Background()
	proxy, sender, _, admin := proxiedWithAdmin(t)
	cids := make([]principal.Principal, fleet)
	for i := range cids {
		cids[i] = replicatest.CreateCanister(t, admin)
	}
	before := proxy.readStates()
	query := func(cid principal.Principal) error {
		_, err := sender.Own().Query(ctx, cid, "get_document", nil)
		if _, ok := ic.AsReject(err); ok {
			return nil
		}
		if err == nil {
			return errors.New("an empty canister answered a query")
		}
		return err
	}
	errs := make(chan error, fleet/2)
	var wg sync.WaitGroup
	for _, cid := range cids[:fleet/2] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- query(cid)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, cid := range cids[fleet/2:] {
		if err := query(cid); err != nil {
			t.Fatal(err)
		}
	}
	if n := proxy.readStates() - before; n != 1 {
		t.Errorf("queries to %d fresh canisters on one subnet read the node keys %d times, want once", fleet, n)
	}
	t.Logf("read_states for %d fresh canisters on one subnet: %d", fleet, proxy.readStates()-before)
}

// TestNodeKeysMaxAge: node keys older than the bound are read again before
// an answer is checked against them.
func TestNodeKeysMaxAge(t *testing.T) {
	proxy, sender, cid := proxied(t)
	sender.NodeKeysMaxAge = time.Nanosecond
	arg, _ := candid.Marshal([]any{"k"})
	for i := range 3 {
		before := proxy.readStates()
		if _, err := sender.Own().Query(context.Background(), cid, "get_document", arg); err != nil {
			t.Fatal(err)
		}
		if n := proxy.readStates() - before; n != 1 {
			t.Errorf("read %d with keys older than the bound read them %d times, want once", i, n)
		}
	}
}

// TestForgedAnswersAreRefused: a query answer is accepted only when every
// signature on it is by a node in the subnet's certified node list and
// covers the answer as sent — a valid signature by a key outside the list,
// a flipped bit, an altered reply or no signature at all are refused, each
// after reading the node keys once more (a node key may have changed).
// Answers that verify against the cached keys read nothing.
func TestForgedAnswersAreRefused(t *testing.T) {
	ctx := context.Background()
	proxy, sender, cid := proxied(t)
	c := sender.Own()
	getArg, _ := candid.Marshal([]any{"k"})
	read := func() error {
		_, err := c.Query(ctx, cid, "get_document", getArg)
		return err
	}
	if err := read(); err != nil {
		t.Fatalf("clean read: %v", err)
	}
	_, strangerPriv, _ := ed25519.GenerateKey(nil)
	strangerDER, _ := x509.MarshalPKIXPublicKey(strangerPriv.Public())
	forgeries := map[string]struct {
		tamper func(agent.RequestID, *agent.Response)
		want   string
	}{
		"signed by a key not in the certified node list": {func(id agent.RequestID, resp *agent.Response) {
			msg, _ := responseHash(resp, id)
			for i := range resp.Signatures {
				m, _ := msg(resp.Signatures[i].Timestamp)
				resp.Signatures[i].Identity = principal.NewSelfAuthenticating(strangerDER)
				resp.Signatures[i].Signature = ed25519.Sign(strangerPriv, m)
			}
		}, "is not a node of the subnet"},
		"a flipped bit in the signature": {func(_ agent.RequestID, resp *agent.Response) {
			resp.Signatures[0].Signature[5] ^= 1
		}, "does not verify"},
		"an altered reply": {func(_ agent.RequestID, resp *agent.Response) {
			reply, _ := cbor.Marshal(map[string][]byte{"arg": []byte("DIDL\x00\x00")})
			resp.Reply = reply
		}, "does not verify"},
		"no signature": {func(_ agent.RequestID, resp *agent.Response) {
			resp.Signatures = nil
		}, "no node signature"},
	}
	for name, f := range forgeries {
		proxy.set(f.tamper)
		before := proxy.readStates()
		err := read()
		var unverified *UnverifiedError
		if !errors.As(err, &unverified) || !strings.Contains(err.Error(), f.want) {
			t.Errorf("%s: %v, want an *UnverifiedError saying %q", name, err, f.want)
		}
		reads := proxy.readStates() - before
		if name != "no signature" && reads != 1 {
			t.Errorf("%s: the node keys were read %d times, want once before refusing", name, reads)
		}
		proxy.set(nil)
		before = proxy.readStates()
		if err := read(); err != nil {
			t.Fatalf("clean read after %s: %v", name, err)
		}
		if n := proxy.readStates() - before; n != 0 {
			t.Errorf("a clean read after %s read the node keys %d times; they are cached", name, n)
		}
	}
}
