package client

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/ic/delegated"
)

func TestSessionRenewsBeforeExpiry(t *testing.T) {
	user, _ := identity.NewRandomEd25519Identity()
	gw, _ := identity.NewRandomEd25519Identity()
	s := NewSession(user, gw.PublicKey(), Options{TTL: time.Hour})
	now := time.Now()
	s.now = func() time.Time { return now }
	first, err := s.Header()
	if err != nil {
		t.Fatal(err)
	}
	chain, err := delegated.ParseHeader(first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.Verify(now, 0, nil); err != nil || string(chain.SessionKey()) != string(gw.PublicKey()) {
		t.Fatalf("the session's chain: %v", err)
	}
	now = now.Add(40 * time.Minute) // 20 min left > 15 min renew margin
	if again, _ := s.Header(); again != first {
		t.Error("renewed too early")
	}
	now = now.Add(6 * time.Minute) // 14 min left
	if renewed, _ := s.Header(); renewed == first {
		t.Error("not renewed within the renew margin")
	}
}
