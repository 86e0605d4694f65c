package httpapi

import (
	"net/http"
	"testing"

	"github.com/aviate-labs/agent-go/identity"
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
		if _, err := authenticate(d, testNow, nil); err != nil {
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
		if _, err := authenticate(d, testNow, nil); err != nil {
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
