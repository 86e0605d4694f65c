package gateway_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/delegated"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
	sessionv1 "github.com/canistry/canistry/internal/gen/canistry/session/v1"
	"github.com/canistry/canistry/internal/gen/canistry/session/v1/sessionv1connect"
)

func newID(t *testing.T) identity.Identity {
	t.Helper()
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustChain(t *testing.T) func(*delegated.Chain, error) *delegated.Chain {
	return func(c *delegated.Chain, err error) *delegated.Chain {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestAuthRefusals: every refusal of "Done when", through the gateway,
// with its code and message, and nothing written.
func TestAuthRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal2"}, "2.0.0")
	cid := e.canister["2.0.0"]
	ctx := context.Background()
	must := mustChain(t)
	hour := time.Now().Add(time.Hour)
	stranger, other := newID(t), newID(t)

	forged := must(delegated.Delegate(e.id, e.gw.PublicKey(), hour, nil, nil))
	forged.Delegations[0].Signature = must(delegated.Delegate(stranger, e.gw.PublicKey(), hour, nil, nil)).Delegations[0].Signature
	many := make([]principal.Principal, delegated.MaxTargets+1)
	for i := range many {
		many[i] = cid
	}
	long, from := (*delegated.Chain)(nil), e.id
	for i := range delegated.MaxDelegations + 1 {
		next := e.gw
		if i < delegated.MaxDelegations {
			next = newID(t)
		}
		long = must(delegated.Delegate(from, next.PublicKey(), hour, nil, long))
		from = next
	}
	raw := func(value string) personalv1connect.PersonalServiceClient { return e.rawClient(value) }
	cases := []struct {
		name   string
		client personalv1connect.PersonalServiceClient
		code   connect.Code
		want   string
	}{
		{"no header", e.clientWith(nil), connect.CodeUnauthenticated, "missing header Canistry-Delegation"},
		{"malformed base64", raw("***"), connect.CodeUnauthenticated, "not base64url"},
		{"malformed JSON", raw("e30x"), connect.CodeUnauthenticated, "malformed"},
		{"expired", e.clientWith(must(delegated.Delegate(e.id, e.gw.PublicKey(), time.Now().Add(-time.Minute), nil, nil))), connect.CodeUnauthenticated, "expired at"},
		{"last key not the gateway's", e.clientWith(must(delegated.Delegate(e.id, other.PublicKey(), hour, nil, nil))), connect.CodeUnauthenticated, "not to this gateway's key"},
		{"forged signature", e.clientWith(forged), connect.CodeUnauthenticated, "signature is not by the key before it"},
		{"targets exclude the canister", e.clientAs(e.id, []principal.Principal{principal.MustDecode("aaaaa-aa")}), connect.CodePermissionDenied, "not among the delegation's targets"},
		{"more than 20 links", e.clientWith(long), connect.CodeUnauthenticated, "at most 20"},
		{"more than 1000 targets", e.clientWith(must(delegated.Delegate(e.id, e.gw.PublicKey(), hour, many, nil))), connect.CodeUnauthenticated, "at most 1000"},
	}
	for _, tc := range cases {
		_, err := tc.client.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "refused", Content: []byte(tc.name)}))
		if connect.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %v containing %q", tc.name, err, tc.code, tc.want)
		}
		if _, err := tc.client.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "refused"})); connect.CodeOf(err) != tc.code {
			t.Errorf("%s: GetDocument: %v, want %v", tc.name, err, tc.code)
		}
	}
	// A stranger's valid delegation passes the gateway; the canister's owner
	// check refuses it (the test adapter does not map the refusal to
	// PermissionDenied as the built-in ones do: integration tests that).
	if _, err := e.clientAs(stranger, nil).PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "refused", Content: []byte("stranger")})); err == nil ||
		!strings.Contains(err.Error(), "inspect_message explicitly refused") {
		t.Errorf("a stranger's delegation: %v, want the canister's refusal", err)
	}
	if _, err := e.client_().GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "refused"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("after the refusals the owner reads %v, want NotFound (nothing written)", err)
	}
	// The owner, through a chain of two links that ends at the gateway.
	session := newID(t)
	first := must(delegated.Delegate(e.id, session.PublicKey(), hour, []principal.Principal{cid}, nil))
	two := e.clientWith(must(delegated.Delegate(session, e.gw.PublicKey(), hour, nil, first)))
	if _, err := two.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "mine", Content: []byte("ok")})); err != nil {
		t.Fatalf("two-link chain: %v", err)
	}
}

// TestGatewayKey: SessionService/GetGatewayKey answers without a
// delegation, with the key chains must end at.
func TestGatewayKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal2"})
	c := sessionv1connect.NewSessionServiceClient(h2cClient(), e.url)
	resp, err := c.GetGatewayKey(context.Background(), connect.NewRequest(&sessionv1.GetGatewayKeyRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Msg.GetPublicKey()) != string(e.gw.PublicKey()) {
		t.Errorf("GetGatewayKey = %x, want %x", resp.Msg.GetPublicKey(), e.gw.PublicKey())
	}
}
