package delegated_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/delegated"
)

func ed25519ID(t testing.TB) identity.Identity {
	t.Helper()
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// userKeys are the key types a user's chain may start with.
func userKeys(t *testing.T) map[string]identity.Identity {
	p256, err := identity.NewRandomPrime256v1Identity()
	if err != nil {
		t.Fatal(err)
	}
	k1, err := identity.NewRandomSecp256k1Identity()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]identity.Identity{"ed25519": ed25519ID(t), "p256": p256, "secp256k1": k1}
}

var someCanister = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")

func TestDelegateVerifyEveryKeyType(t *testing.T) {
	session := ed25519ID(t)
	for name, user := range userKeys(t) {
		c, err := delegated.Delegate(user, session.PublicKey(), time.Now().Add(time.Hour), nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v, err := c.Verify(time.Now(), 0, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Sender.String() != user.Sender().String() || !v.Allows(someCanister) {
			t.Errorf("%s: sender %s, allows %v", name, v.Sender, v.Allows(someCanister))
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	user, mid, session := ed25519ID(t), ed25519ID(t), ed25519ID(t)
	first, err := delegated.Delegate(user, mid.PublicKey(), time.Now().Add(time.Hour), []principal.Principal{someCanister}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := delegated.Delegate(mid, session.PublicKey(), time.Now().Add(time.Hour), nil, first)
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.Header()
	if err != nil {
		t.Fatal(err)
	}
	back, err := delegated.ParseHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	v, err := back.Verify(time.Now(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Allows(someCanister) || v.Allows(principal.MustDecode("aaaaa-aa")) {
		t.Error("the first link's targets must bind the chain")
	}
	if string(back.SessionKey()) != string(session.PublicKey()) || len(back.Delegations) != 2 {
		t.Errorf("session key or length lost: %d links", len(back.Delegations))
	}
	// The JSON is DelegationChain.toJSON's: hex, hex nanoseconds, upper-case targets.
	var js map[string]any
	data, _ := c.MarshalJSON()
	json.Unmarshal(data, &js)
	d0 := js["delegations"].([]any)[0].(map[string]any)["delegation"].(map[string]any)
	if tg := d0["targets"].([]any)[0].(string); tg != strings.ToUpper(tg) {
		t.Errorf("target %q not upper-case hex", tg)
	}
}

func TestVerifyRefusals(t *testing.T) {
	user, session, stranger := ed25519ID(t), ed25519ID(t), ed25519ID(t)
	hour := time.Now().Add(time.Hour)
	good := func() *delegated.Chain {
		c, err := delegated.Delegate(user, session.PublicKey(), hour, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tooManyTargets := make([]principal.Principal, delegated.MaxTargets+1)
	for i := range tooManyTargets {
		tooManyTargets[i] = someCanister
	}
	cases := map[string]struct {
		chain func() *delegated.Chain
		want  string
	}{
		"expired": {func() *delegated.Chain {
			c, _ := delegated.Delegate(user, session.PublicKey(), time.Now().Add(-time.Minute), nil, nil)
			return c
		}, "expired at"},
		"forged signature": {func() *delegated.Chain {
			c := good()
			forged, _ := delegated.Delegate(stranger, session.PublicKey(), hour, nil, nil)
			c.Delegations[0].Signature = forged.Delegations[0].Signature
			return c
		}, "signature is not by the key before it"},
		"tampered expiration": {func() *delegated.Chain {
			c := good()
			c.Delegations[0].Delegation.Expiration += 1
			return c
		}, "signature is not by the key before it"},
		"too many targets": {func() *delegated.Chain {
			c, _ := delegated.Delegate(user, session.PublicKey(), hour, tooManyTargets, nil)
			return c
		}, "at most 1000"},
		"too many links": {func() *delegated.Chain {
			c, from := (*delegated.Chain)(nil), user
			for range delegated.MaxDelegations + 1 {
				next := ed25519ID(t)
				c, _ = delegated.Delegate(from, next.PublicKey(), hour, nil, c)
				from = next
			}
			return c
		}, "at most 20"},
		"cycle": {func() *delegated.Chain {
			c, _ := delegated.Delegate(user, session.PublicKey(), hour, nil, nil)
			c, _ = delegated.Delegate(session, user.PublicKey(), hour, nil, c)
			return c
		}, "already appears"},
		"no delegations": {func() *delegated.Chain { return &delegated.Chain{PublicKey: user.PublicKey()} }, "no delegations"},
	}
	for name, tc := range cases {
		_, err := tc.chain().Verify(time.Now(), 0, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	// Within the skew an expired link still passes; the IC has the last word.
	c, _ := delegated.Delegate(user, session.PublicKey(), time.Now().Add(-10*time.Second), nil, nil)
	if _, err := c.Verify(time.Now(), 30*time.Second, nil); err != nil {
		t.Errorf("within skew: %v", err)
	}
}

func TestParseHeaderRefusals(t *testing.T) {
	for value, want := range map[string]string{
		"not base64!":             "base64url",
		"eyJ9":                    "not the JSON",
		b64(`{"delegations":[]}`): "no publicKey",
		b64(`{"publicKey":"00","delegations":[]}`):   "no delegations",
		b64(`{"publicKey":"zz","delegations":[{}]}`): "publicKey is not hex",
		b64(`{"publicKey":"00","delegations":[{"delegation":{"pubkey":"00","expiration":"xyz"},"signature":"00"}]}`): "expiration",
	} {
		if _, err := delegated.ParseHeader(value); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", value, err, want)
		}
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// The management canister is the empty principal: its target is "".
func TestManagementCanisterTarget(t *testing.T) {
	user, session := ed25519ID(t), ed25519ID(t)
	mgmt := principal.MustDecode("aaaaa-aa")
	c, _ := delegated.Delegate(user, session.PublicKey(), time.Now().Add(time.Hour), []principal.Principal{mgmt}, nil)
	h, _ := c.Header()
	back, err := delegated.ParseHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	v, err := back.Verify(time.Now(), 0, nil)
	if err != nil || !v.Allows(mgmt) || v.Allows(someCanister) {
		t.Errorf("aaaaa-aa target: %v, allows aaaaa-aa %v", err, v != nil && v.Allows(mgmt))
	}
}
