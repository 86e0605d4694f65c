package auth

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/delegated"
)

var (
	mine   = principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	theirs = principal.MustDecode("ryjl3-tyaaa-aaaaa-aaaba-cai")
)

func newID(t *testing.T) identity.Identity {
	t.Helper()
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func header(t *testing.T, c *delegated.Chain, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.Header()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCheckRefusals(t *testing.T) {
	user, gw, other := newID(t), newID(t), newID(t)
	v := New(gw.PublicKey(), nil)
	hour := time.Now().Add(time.Hour)
	forged, _ := delegated.Delegate(user, gw.PublicKey(), hour, nil, nil)
	bySomeoneElse, _ := delegated.Delegate(other, gw.PublicKey(), hour, nil, nil)
	forged.Delegations[0].Signature = bySomeoneElse.Delegations[0].Signature
	many := make([]principal.Principal, delegated.MaxTargets+1)
	for i := range many {
		many[i] = mine
	}
	long, from := (*delegated.Chain)(nil), user
	for i := range delegated.MaxDelegations + 1 {
		next := gw
		if i < delegated.MaxDelegations {
			next = newID(t)
		}
		long, _ = delegated.Delegate(from, next.PublicKey(), hour, nil, long)
		from = next
	}
	hdr := func(c *delegated.Chain, err error) string { return header(t, c, err) }
	cases := map[string]struct {
		value string
		code  connect.Code
		want  string
	}{
		"no header":        {"", connect.CodeUnauthenticated, "missing header Canistry-Delegation"},
		"not base64":       {"%%%", connect.CodeUnauthenticated, "malformed: not base64url"},
		"not JSON":         {"bm90IGpzb24", connect.CodeUnauthenticated, "malformed: not the JSON"},
		"expired":          {hdr(delegated.Delegate(user, gw.PublicKey(), time.Now().Add(-time.Minute), nil, nil)), connect.CodeUnauthenticated, "expired at"},
		"to another key":   {hdr(delegated.Delegate(user, other.PublicKey(), hour, nil, nil)), connect.CodeUnauthenticated, "not to this gateway's key"},
		"forged":           {hdr(forged, nil), connect.CodeUnauthenticated, "signature is not by the key before it"},
		"outside targets":  {hdr(delegated.Delegate(user, gw.PublicKey(), hour, []principal.Principal{theirs}, nil)), connect.CodePermissionDenied, "not among the delegation's targets"},
		"too many targets": {hdr(delegated.Delegate(user, gw.PublicKey(), hour, many, nil)), connect.CodeUnauthenticated, "at most 1000"},
		"21 links":         {hdr(long, nil), connect.CodeUnauthenticated, "at most 20"},
	}
	for name, tc := range cases {
		_, err := v.Check(tc.value, mine)
		if connect.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %v containing %q", name, err, tc.code, tc.want)
		}
	}
}

func TestCheckCachesUntilExpiry(t *testing.T) {
	user, gw := newID(t), newID(t)
	v := New(gw.PublicKey(), nil)
	now := time.Now()
	v.now = func() time.Time { return now }
	hdr := func(c *delegated.Chain, err error) string { return header(t, c, err) }
	h := hdr(delegated.Delegate(user, gw.PublicKey(), now.Add(time.Minute), []principal.Principal{mine}, nil))
	first, err := v.Check(h, mine)
	if err != nil {
		t.Fatal(err)
	}
	again, err := v.Check(h, mine)
	if err != nil || again != first {
		t.Fatalf("second check: %v (cached: %v)", err, again == first)
	}
	if first.Sender.String() != user.Sender().String() {
		t.Errorf("sender %s, want %s", first.Sender, user.Sender())
	}
	// The cached chain still binds its targets.
	if _, err := v.Check(h, theirs); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("cached chain, other canister: %v", err)
	}
	now = now.Add(time.Minute + Skew + time.Second)
	if _, err := v.Check(h, mine); connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "expired") {
		t.Errorf("after expiry: %v", err)
	}
	if len(v.cache) != 0 {
		t.Errorf("expired chain still cached")
	}
}

func BenchmarkCheckCached(b *testing.B) {
	user, _ := identity.NewRandomEd25519Identity()
	gw, _ := identity.NewRandomEd25519Identity()
	v := New(gw.PublicKey(), nil)
	c, _ := delegated.Delegate(user, gw.PublicKey(), time.Now().Add(time.Hour), nil, nil)
	h, _ := c.Header()
	for b.Loop() {
		if _, err := v.Check(h, mine); err != nil {
			b.Fatal(err)
		}
	}
}
