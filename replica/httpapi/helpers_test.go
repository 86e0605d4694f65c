package httpapi

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/certification/ii"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// testNow is the replica time of the unit tests.
var testNow = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

var (
	testCanister  = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	otherCanister = principal.MustDecode("ryjl3-tyaaa-aaaaa-aaaba-cai")
)

// stubBackend is a Backend for handler unit tests: it records what it is
// given and answers what the test configures.
type stubBackend struct {
	mu        sync.Mutex
	got       []*Request
	submitErr error
	awaitCert []byte
	awaitErr  error
	queryRep  []byte
	queryErr  error
	stateCert []byte
	stateErr  error
	nodeKey   ed25519.PrivateKey
	rootKey   []byte    // nil = a placeholder
	now       time.Time // zero = testNow
}

func newStubBackend() *stubBackend {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	return &stubBackend{nodeKey: key, awaitCert: []byte("cert"), queryRep: []byte("reply"), stateCert: []byte("state")}
}

func (b *stubBackend) RootKey() []byte {
	if b.rootKey != nil {
		return b.rootKey
	}
	return []byte("root key")
}
func (b *stubBackend) Now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.now.IsZero() {
		return testNow
	}
	return b.now
}

// setNow moves the replica's clock.
func (b *stubBackend) setNow(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.now = t
}

func (b *stubBackend) record(r *Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, r)
}

func (b *stubBackend) last() *Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.got) == 0 {
		return nil
	}
	return b.got[len(b.got)-1]
}

func (b *stubBackend) Submit(_ context.Context, r *Request) error {
	b.record(r)
	return b.submitErr
}

func (b *stubBackend) Await(context.Context, *Request) ([]byte, error) {
	return b.awaitCert, b.awaitErr
}

func (b *stubBackend) Query(_ context.Context, r *Request) ([]byte, error) {
	b.record(r)
	return b.queryRep, b.queryErr
}

func (b *stubBackend) ReadState(_ context.Context, r *Request) ([]byte, error) {
	b.record(r)
	return b.stateCert, b.stateErr
}

func (b *stubBackend) SignQueryResponse(hash [32]byte) (principal.Principal, []byte) {
	msg := withDomain(responseDomain, hash)
	node := principal.NewSelfAuthenticating(b.nodeKey.Public().(ed25519.PublicKey))
	return node, ed25519.Sign(b.nodeKey, msg)
}

// newRequest is an agent-go request of the given type to testCanister,
// expiring 4 minutes after testNow.
func newRequest(typ string, sender principal.Principal) agent.Request {
	r := agent.Request{
		Type:          typ,
		Sender:        sender,
		IngressExpiry: uint64(testNow.Add(4 * time.Minute).UnixNano()),
	}
	if typ == agent.RequestTypeReadState {
		r.Paths = [][]hashtree.Label{{hashtree.Label("time")}}
		return r
	}
	r.CanisterID = testCanister
	r.MethodName = "greet"
	r.Arguments = []byte("DIDL\x00\x00")
	r.Nonce = []byte("0123456789")
	return r
}

// signedEnvelope encodes req signed by id exactly as agent-go's agent does.
func signedEnvelope(t testing.TB, id identity.Identity, req agent.Request) []byte {
	t.Helper()
	rid := agent.NewRequestID(req)
	sig, err := rid.Sign(id)
	if err != nil {
		t.Fatal(err)
	}
	data, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: id.PublicKey(), SenderSig: sig})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ed25519Identity is a fresh agent-go Ed25519 identity with its private key.
func ed25519Identity(t testing.TB) (*identity.Ed25519Identity, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.NewEd25519Identity(pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return id, priv
}

// signedDelegationFor makes signer delegate to delegate's key, signing the
// message agent-go's Internet Identity code builds.
func signedDelegationFor(t testing.TB, signer identity.Identity, delegate []byte, expiration time.Time, targets []principal.Principal) map[string]any {
	t.Helper()
	d := ii.Delegation{PublicKey: ii.HexString(delegate), Expiration: ii.BEHexUint64(expiration.UnixNano())}
	inner := map[string]any{"pubkey": delegate, "expiration": uint64(expiration.UnixNano())}
	if targets != nil {
		raw := make([][]byte, len(targets))
		for i, p := range targets {
			raw[i] = p.Raw
			d.Targets = append(d.Targets, ii.HexString(p.Raw))
		}
		inner["targets"] = raw
	}
	msg, err := d.SignatureMessage()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"delegation": inner, "signature": sig}
}

// canonicalCBOR sorts map keys, as agents do, so that one chain encodes
// to the same bytes in every request (Go maps have no order).
var canonicalCBOR = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// delegatedEnvelope is req from sender's principal, signed by the last key
// of the chain.
func delegatedEnvelope(t testing.TB, sender identity.Identity, last identity.Identity, chain []map[string]any, req agent.Request) []byte {
	t.Helper()
	rid := agent.NewRequestID(req)
	sig, err := rid.Sign(last)
	if err != nil {
		t.Fatal(err)
	}
	data, err := canonicalCBOR.Marshal(map[string]any{
		"content":           &req,
		"sender_pubkey":     sender.PublicKey(),
		"sender_sig":        sig,
		"sender_delegation": chain,
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// post sends body to path on a handler over b and returns the recorder.
func post(t testing.TB, h http.Handler, path, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeResponse decodes a tagged CBOR response body.
func decodeResponse(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	body := rec.Body.Bytes()
	if !bytes.HasPrefix(body, selfDescribeTag) {
		t.Fatalf("response body lacks the self-describe tag: %x", body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/cbor" {
		t.Fatalf("Content-Type = %q, want application/cbor", ct)
	}
	if err := cbor.Unmarshal(body, v); err != nil {
		t.Fatalf("decode response: %v", err)
	}
}
