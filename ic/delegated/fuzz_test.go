package delegated

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// FuzzChain: any Canistry-Delegation value parses or is refused, verifies
// or is refused, without panicking; a chain that verifies keeps the IC's
// limits and names a sender, and its header form round-trips.
func FuzzChain(f *testing.F) {
	user, _ := identity.NewRandomEd25519Identity()
	session, _ := identity.NewRandomEd25519Identity()
	gateway, _ := identity.NewRandomEd25519Identity()
	now := time.Now()
	first, err := Delegate(user, session.PublicKey(), now.Add(time.Hour), []principal.Principal{principal.AnonymousID}, nil)
	if err != nil {
		f.Fatal(err)
	}
	second, err := Delegate(session, gateway.PublicKey(), now.Add(time.Hour), nil, first)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []*Chain{first, second} {
		h, err := c.Header()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(h)
	}
	f.Add("")
	f.Add("e30")                                          // {}
	f.Add("eyJkZWxlZ2F0aW9ucyI6W10sInB1YmxpY0tleSI6IiJ9") // no links
	f.Fuzz(func(t *testing.T, value string) {
		c, err := ParseHeader(value)
		if err != nil {
			return
		}
		v, err := c.Verify(now, 30*time.Second, nil)
		if err != nil {
			return
		}
		if len(c.Delegations) == 0 || len(c.Delegations) > MaxDelegations || v.Sender.Raw == nil {
			t.Fatalf("verified a chain of %d links with sender %v", len(c.Delegations), v.Sender)
		}
		for _, d := range c.Delegations {
			if len(d.Delegation.Targets) > MaxTargets {
				t.Fatalf("verified a link of %d targets", len(d.Delegation.Targets))
			}
		}
		h, err := c.Header()
		if err != nil {
			t.Fatalf("a verified chain has no header form: %v", err)
		}
		again, err := ParseHeader(h)
		if err != nil || len(again.Delegations) != len(c.Delegations) {
			t.Fatalf("header round trip: %v", err)
		}
	})
}
