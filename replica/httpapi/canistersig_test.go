package httpapi

import (
	"crypto/sha256"
	"encoding/asn1"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/certification/ii"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/canistry/canistry/internal/icsig"
	"github.com/canistry/canistry/replica/certify"
	"github.com/fxamacker/cbor/v2"
)

// specCanisterSigDER is the spec's example canister signature key
// (canister rrkah-fqaaa-aaaaa-aaaaq-cai, seed "seed").
var specCanisterSigDER = mustHex("3020300c060a2b0601040183b8430102031000" + "0a00000000000000010101" + "73656564")

var webAuthnDER = mustMarshalSPKI(oidWebAuthn, []byte{0xa5, 0x01, 0x02})

func mustMarshalSPKI(oid asn1.ObjectIdentifier, key []byte) []byte {
	var spki subjectPublicKeyInfo
	spki.Algorithm.Algorithm = oid
	spki.PublicKey = asn1.BitString{Bytes: key, BitLength: 8 * len(key)}
	der, err := asn1.Marshal(spki)
	if err != nil {
		panic(err)
	}
	return der
}

func TestSpecCanisterSigKeyDER(t *testing.T) {
	if _, err := icsig.ParsePublicKey(specCanisterSigDER, nil); err != nil {
		t.Fatal(err)
	}
	if der := mustMarshalSPKI(oidCanisterSig, append([]byte{byte(len(testCanister.Raw))}, append(testCanister.Raw, "seed"...)...)); string(der) != string(specCanisterSigDER) {
		t.Fatalf("test DER builder disagrees with the spec: %x", der)
	}
}

// canisterSigner signs like Internet Identity: it certifies a /sig tree
// in the canister's certified data with the replica's real keys.
type canisterSigner struct {
	t         *testing.T
	keys      *certify.Keys
	certifier *certify.Certifier
	canister  principal.Principal
	seed      []byte
}

func newCanisterSigner(t *testing.T, canister principal.Principal) *canisterSigner {
	keys, err := certify.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	certifier, err := certify.NewCertifier(keys, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return &canisterSigner{t: t, keys: keys, certifier: certifier, canister: canister, seed: []byte("anchor 10000")}
}

func (s *canisterSigner) publicKey() []byte {
	raw := append([]byte{byte(len(s.canister.Raw))}, s.canister.Raw...)
	return mustMarshalSPKI(oidCanisterSig, append(raw, s.seed...))
}

// sign produces the canister signature of msg, certified for certifiedBy.
func (s *canisterSigner) sign(msg []byte, certifiedBy principal.Principal) []byte {
	seedHash, msgHash := sha256.Sum256(s.seed), sha256.Sum256(msg)
	sigTree := hashtree.Labeled{Label: hashtree.Label("sig"), Tree: hashtree.Labeled{Label: seedHash[:],
		Tree: hashtree.Labeled{Label: msgHash[:], Tree: hashtree.Leaf{}}}}
	digest := hashtree.NewHashTree(sigTree).Digest()
	var tree certify.Tree
	for _, e := range s.keys.SubnetEntries() {
		tree = tree.Set(e.Path, e.Value)
	}
	path := certify.Path{[]byte("canister"), certifiedBy.Raw, []byte("certified_data")}
	certified, err := s.certifier.Certify(tree.Set(path, digest[:]), testNow)
	if err != nil {
		s.t.Fatal(err)
	}
	cert, err := certified.Certificate([]certify.Path{path})
	if err != nil {
		s.t.Fatal(err)
	}
	sig, err := cbor.Marshal(cbor.Tag{Number: 55799, Content: map[string]any{
		"certificate": cert, "tree": hashtree.NewHashTree(sigTree),
	}})
	if err != nil {
		s.t.Fatal(err)
	}
	return sig
}

// TestCanisterSignatureDelegation is the Internet Identity flow: the
// canister signature key delegates to a session key that signs requests.
func TestCanisterSignatureDelegation(t *testing.T) {
	iiCanister := principal.MustDecode("rdmx6-jaaaa-aaaaa-aaadq-cai")
	signer := newCanisterSigner(t, iiCanister)
	session, _ := ed25519Identity(t)
	sender := principal.NewSelfAuthenticating(signer.publicKey())
	expiration := testNow.Add(time.Hour)
	msg, err := ii.Delegation{PublicKey: ii.HexString(session.PublicKey()), Expiration: ii.BEHexUint64(expiration.UnixNano())}.SignatureMessage()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		signedMsg   []byte
		certifiedBy principal.Principal
		rootKey     []byte
		message     string // empty = valid
	}{
		{"valid", msg, iiCanister, signer.keys.RootKeyDER(), ""},
		{"signature of another message", []byte("something else"), iiCanister, signer.keys.RootKeyDER(), "does not cover the message"},
		{"certified data of another canister", msg, testCanister, signer.keys.RootKeyDER(), "canister signature of rdmx6"},
		{"certificate from another replica", msg, iiCanister, newCanisterSigner(t, iiCanister).keys.RootKeyDER(), "canister signature of rdmx6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := []map[string]any{{
				"delegation": map[string]any{"pubkey": session.PublicKey(), "expiration": uint64(expiration.UnixNano())},
				"signature":  signer.sign(tt.signedMsg, tt.certifiedBy),
			}}
			req := newRequest("call", sender)
			rid := agent.NewRequestID(req)
			sig, err := rid.Sign(session)
			if err != nil {
				t.Fatal(err)
			}
			body := mustCBOR(t, map[string]any{"content": &req, "sender_pubkey": signer.publicKey(), "sender_sig": sig, "sender_delegation": chain})
			b := newStubBackend()
			b.rootKey = tt.rootKey
			rec := post(t, NewHandler(b, Config{}, nil), "/api/v2/canister/"+testCanister.String()+"/call", "application/cbor", body)
			if tt.message == "" {
				if rec.Code != http.StatusAccepted || !b.last().Sender.Equal(sender) {
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
