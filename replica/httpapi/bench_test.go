package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// BenchmarkDecodeAuthenticateEd25519 measures decoding an agent-go call
// envelope, computing its request id and verifying its Ed25519 signature.
func BenchmarkDecodeAuthenticateEd25519(b *testing.B) {
	ed, _ := ed25519Identity(b)
	body := signedEnvelope(b, ed, newRequest("call", ed.Sender()))
	b.ReportAllocs()
	for b.Loop() {
		d, err := decodeEnvelope(body, "call")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := authenticate(d, testNow, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeAuthenticateSecp256k1 is the same for secp256k1 (gnark).
func BenchmarkDecodeAuthenticateSecp256k1(b *testing.B) {
	id, err := identity.NewRandomSecp256k1Identity()
	if err != nil {
		b.Fatal(err)
	}
	body := signedEnvelope(b, id, newRequest("call", id.Sender()))
	b.ReportAllocs()
	for b.Loop() {
		d, err := decodeEnvelope(body, "call")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := authenticate(d, testNow, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerV2Call is a whole v2 call through the handler (routing,
// body reading, checks, stub backend, 202).
func BenchmarkHandlerV2Call(b *testing.B) {
	ed, _ := ed25519Identity(b)
	body := signedEnvelope(b, ed, newRequest("call", ed.Sender()))
	h := NewHandler(newStubBackend(), Config{}, nil)
	path := "/api/v2/canister/" + testCanister.String() + "/call"
	b.ReportAllocs()
	for b.Loop() {
		if rec := post(b, h, path, "application/cbor", body); rec.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkHandlerQueryOwnKey and BenchmarkHandlerQueryDelegated are the
// same v2 query through the handler, signed by the sender's own key or by
// a session key the sender delegated to (one link with a target, as the
// gateway sends): the difference is what a delegation costs the replica
// once its chain is cached (every iteration after the first).
func BenchmarkHandlerQueryOwnKey(b *testing.B) {
	ed, _ := ed25519Identity(b)
	benchQuery(b, signedEnvelope(b, ed, newRequest("query", ed.Sender())))
}

func BenchmarkHandlerQueryDelegated(b *testing.B) {
	user, _ := ed25519Identity(b)
	session, _ := ed25519Identity(b)
	chain := []map[string]any{signedDelegationFor(b, user, session.PublicKey(), testNow.Add(time.Hour), []principal.Principal{testCanister})}
	benchQuery(b, delegatedEnvelope(b, user, session, chain, newRequest("query", user.Sender())))
}

func benchQuery(b *testing.B, body []byte) {
	h := NewHandler(newStubBackend(), Config{}, nil)
	path := "/api/v2/canister/" + testCanister.String() + "/query"
	b.ReportAllocs()
	for b.Loop() {
		if rec := post(b, h, path, "application/cbor", body); rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
