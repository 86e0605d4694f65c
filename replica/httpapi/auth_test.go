package httpapi

import (
	"bytes"
	"crypto/elliptic"
	"encoding/hex"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// TestRequestIDSpecVector checks the request id of the interface spec's
// example against the decoded content map.
func TestRequestIDSpecVector(t *testing.T) {
	content := map[string]any{
		"request_type":   "call",
		"sender":         []byte{0x04},
		"ingress_expiry": uint64(1685570400000000000),
		"canister_id":    []byte{0, 0, 0, 0, 0, 0, 0x04, 0xD2},
		"method_name":    "hello",
		"arg":            []byte("DIDL\x00\xFD*"),
	}
	body, err := cbor.Marshal(map[string]any{"content": content})
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeEnvelope(body, "call")
	if err != nil {
		t.Fatal(err)
	}
	want := "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101"
	if got := hex.EncodeToString(d.id[:]); got != want {
		t.Fatalf("request id = %s, want %s", got, want)
	}
}

// TestAgentGoEnvelopes decodes and authenticates envelopes that agent-go
// builds for each identity type and request type, and checks the request
// id equals agent-go's.
func TestAgentGoEnvelopes(t *testing.T) {
	ed, _ := ed25519Identity(t)
	secp, err := identity.NewRandomSecp256k1Identity()
	if err != nil {
		t.Fatal(err)
	}
	p256, err := identity.NewRandomPrime256v1Identity()
	if err != nil {
		t.Fatal(err)
	}
	anon := identity.AnonymousIdentity{}
	for _, id := range []struct {
		name string
		id   identity.Identity
	}{{"ed25519", ed}, {"secp256k1", secp}, {"p256", p256}, {"anonymous", anon}} {
		for _, typ := range []string{"call", "query", "read_state"} {
			t.Run(id.name+"/"+typ, func(t *testing.T) {
				req := newRequest(typ, id.id.Sender())
				d, err := decodeEnvelope(signedEnvelope(t, id.id, req), typ)
				if err != nil {
					t.Fatal(err)
				}
				if want := agent.NewRequestID(req); d.id != want {
					t.Fatalf("request id = %x, agent-go computes %x", d.id, want)
				}
				if _, err := authenticate(d, testNow, nil, nil); err != nil {
					t.Fatalf("authenticate: %v", err)
				}
			})
		}
	}
}

// TestSignatureFailures tampers with agent-go envelopes in the ways that
// must fail authentication.
func TestSignatureFailures(t *testing.T) {
	ed, _ := ed25519Identity(t)
	other, _ := ed25519Identity(t)
	secp, err := identity.NewRandomSecp256k1Identity()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		mutate  func(env map[string]any)
		id      identity.Identity
		sender  principal.Principal
		message string
	}{
		{"tampered signature", func(env map[string]any) { flipLastByte(env["sender_sig"]) }, ed, ed.Sender(), "Ed25519 signature verification failed"},
		{"tampered secp256k1 signature", func(env map[string]any) { flipLastByte(env["sender_sig"]) }, secp, secp.Sender(), "secp256k1 signature"},
		{"high-S secp256k1 signature", func(env map[string]any) { env["sender_sig"] = highS(env["sender_sig"].([]byte)) }, secp, secp.Sender(), "not in low-S form"},
		{"sender mismatch", nil, ed, other.Sender(), "does not match the public key"},
		{"missing signature", func(env map[string]any) { delete(env, "sender_sig") }, ed, ed.Sender(), "missing sender_pubkey or sender_sig"},
		{"anonymous with a key", func(env map[string]any) { env["sender_pubkey"] = ed.PublicKey() }, identity.AnonymousIdentity{}, principal.AnonymousID, "anonymous sender must not carry"},
		{"unsupported key type", func(env map[string]any) { env["sender_pubkey"] = webAuthnDER }, ed, principal.NewSelfAuthenticating(webAuthnDER), "unsupported key type: WebAuthn"},
		{"garbage canister signature", func(env map[string]any) { env["sender_pubkey"] = specCanisterSigDER }, ed, principal.NewSelfAuthenticating(specCanisterSigDER), "malformed canister signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest("call", tt.sender)
			env := envelopeMap(t, signedEnvelope(t, tt.id, req))
			if tt.mutate != nil {
				tt.mutate(env)
			}
			_, err := authenticateBody(t, env)
			assertHTTPError(t, err, http.StatusBadRequest, tt.message)
		})
	}
}

// TestHighSP256Accepted: WebCrypto does not normalize P-256 signatures, so
// both S forms must verify.
func TestHighSP256Accepted(t *testing.T) {
	p256, err := identity.NewRandomPrime256v1Identity()
	if err != nil {
		t.Fatal(err)
	}
	env := envelopeMap(t, signedEnvelope(t, p256, newRequest("call", p256.Sender())))
	env["sender_sig"] = highSP256(env["sender_sig"].([]byte))
	if _, err := authenticateBody(t, env); err != nil {
		t.Fatalf("high-S P-256 signature refused: %v", err)
	}
}

func TestDelegationChain(t *testing.T) {
	root, _ := ed25519Identity(t)
	middle, _ := ed25519Identity(t)
	session, _ := ed25519Identity(t)
	later := testNow.Add(time.Hour)
	tests := []struct {
		name    string
		chain   func() ([]map[string]any, identity.Identity)
		message string // empty = valid
	}{
		{"two delegations", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{
				signedDelegationFor(t, root, middle.PublicKey(), later, nil),
				signedDelegationFor(t, middle, session.PublicKey(), later, []principal.Principal{testCanister, otherCanister}),
			}, session
		}, ""},
		{"expired delegation", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{signedDelegationFor(t, root, session.PublicKey(), testNow.Add(-time.Second), nil)}, session
		}, "delegation 0: delegation expired"},
		{"wrong target", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{signedDelegationFor(t, root, session.PublicKey(), later, []principal.Principal{otherCanister})}, session
		}, "not one of the delegation targets"},
		{"targets intersect to nothing", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{
				signedDelegationFor(t, root, middle.PublicKey(), later, []principal.Principal{otherCanister}),
				signedDelegationFor(t, middle, session.PublicKey(), later, []principal.Principal{testCanister}),
			}, session
		}, "not one of the delegation targets"},
		{"tampered delegation signature", func() ([]map[string]any, identity.Identity) {
			d := signedDelegationFor(t, root, session.PublicKey(), later, nil)
			flipLastByte(d["signature"])
			return []map[string]any{d}, session
		}, "delegation 0: invalid delegation signature"},
		{"delegation signed by the wrong key", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{signedDelegationFor(t, middle, session.PublicKey(), later, nil)}, session
		}, "delegation 0: invalid delegation signature"},
		{"request signed by the sender instead of the session key", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{signedDelegationFor(t, root, session.PublicKey(), later, nil)}, root
		}, "invalid signature of request"},
		{"repeated key", func() ([]map[string]any, identity.Identity) {
			return []map[string]any{
				signedDelegationFor(t, root, middle.PublicKey(), later, nil),
				signedDelegationFor(t, middle, root.PublicKey(), later, nil),
			}, root
		}, "repeats in the chain"},
		{"too many delegations", func() ([]map[string]any, identity.Identity) {
			return make([]map[string]any, maxDelegations+1), session
		}, "at most 20 are allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain, signer := tt.chain()
			body := delegatedEnvelope(t, root, signer, chain, newRequest("call", root.Sender()))
			h := NewHandler(newStubBackend(), Config{}, nil)
			rec := post(t, h, "/api/v2/canister/"+testCanister.String()+"/call", "application/cbor", body)
			if tt.message == "" {
				if rec.Code != http.StatusAccepted {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.message) {
				t.Fatalf("got %d %q, want 400 containing %q", rec.Code, rec.Body, tt.message)
			}
		})
	}
}

// authenticateBody re-encodes an envelope map and runs decode + auth.
func authenticateBody(t *testing.T, env map[string]any) ([]principal.Principal, error) {
	t.Helper()
	body, err := cbor.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeEnvelope(body, "call")
	if err != nil {
		return nil, err
	}
	return authenticate(d, testNow, nil, nil)
}

func envelopeMap(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var env map[string]any
	if err := cbor.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	return env
}

func assertHTTPError(t *testing.T, err error, status int, contains string) {
	t.Helper()
	var httpErr *Error
	if !errors.As(err, &httpErr) {
		t.Fatalf("got %v, want *Error %d containing %q", err, status, contains)
	}
	if httpErr.Status != status || !strings.Contains(httpErr.Message, contains) {
		t.Fatalf("got %d %q, want %d containing %q", httpErr.Status, httpErr.Message, status, contains)
	}
}

func flipLastByte(v any) {
	b := v.([]byte)
	b[len(b)-1] ^= 1
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// highS replaces s with n - s, the other valid encoding of an ECDSA
// signature.
func highS(sig []byte) []byte {
	return negateS(sig, secp256k1Order)
}

func highSP256(sig []byte) []byte {
	return negateS(sig, p256Order())
}

func negateS(sig []byte, order *big.Int) []byte {
	out := bytes.Clone(sig)
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(order, s)
	s.FillBytes(out[32:])
	return out
}

func p256Order() *big.Int { return elliptic.P256().Params().N }

// TestRequestIDCoversUnknownFields: a field this package does not interpret
// still changes the request id, so adding one after signing breaks the
// signature.
func TestRequestIDCoversUnknownFields(t *testing.T) {
	ed, _ := ed25519Identity(t)
	env := envelopeMap(t, signedEnvelope(t, ed, newRequest("call", ed.Sender())))
	content := env["content"].(map[any]any)
	content["sender_info"] = []byte("added after signing")
	_, err := authenticateBody(t, env)
	assertHTTPError(t, err, http.StatusBadRequest, "invalid signature of request")
}

func TestMalformedEnvelopes(t *testing.T) {
	ed, _ := ed25519Identity(t)
	valid := signedEnvelope(t, ed, newRequest("call", ed.Sender()))
	// A second "content" key appended to the top-level map (header a3 → a4).
	dup := append([]byte{0xa4}, valid[1:]...)
	dup = append(dup, mustCBOR(t, "content")...)
	dup = append(dup, mustCBOR(t, map[string]any{})...)
	tests := []struct {
		name    string
		body    []byte
		message string
	}{
		{"duplicate key", dup, "Could not parse body"},
		{"float in content", mustCBOR(t, map[string]any{"content": map[string]any{
			"request_type": "call", "canister_id": []byte{}, "method_name": "m", "arg": []byte{},
			"sender": []byte{4}, "ingress_expiry": uint64(1), "nonce": 1.5,
		}}), "Could not parse body as call content"},
		{"text-keyed content with an empty sender_pubkey", mustCBOR(t, map[string]any{
			"content":       map[string]any{"request_type": "call", "canister_id": []byte{}, "method_name": "m", "arg": []byte{}, "sender": []byte{4}, "ingress_expiry": uint64(1)},
			"sender_pubkey": []byte{},
		}), "anonymous sender must not carry"},
	}
	if valid[0] != 0xa3 {
		t.Fatalf("expected a 3-entry map, got header %x", valid[0])
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decodeEnvelope(tt.body, "call")
			if err == nil {
				_, err = authenticate(d, testNow, nil, nil)
			}
			assertHTTPError(t, err, http.StatusBadRequest, tt.message)
		})
	}
}
