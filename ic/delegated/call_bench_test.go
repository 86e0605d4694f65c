package delegated_test

import (
	"context"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
)

// BenchmarkCall: put_document as the owner through a delegation (what the
// gateway sends; the reply's certificate verified, its subnet delegation
// remembered) and by agent-go directly as the owner (agent-go v0.9.2 reads
// a synchronous call's reply from the certificate without verifying it).
// The difference is what verifying the reply costs.
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	owner := ed25519ID(b)
	w := newWorld(b, owner.Sender())
	chain, err := delegated.Delegate(owner, w.gateway.PublicKey(), time.Now().Add(time.Hour), []principal.Principal{w.canister}, nil)
	if err != nil {
		b.Fatal(err)
	}
	c := w.sender.As(chain)
	b.Run("delegated", func(b *testing.B) {
		for b.Loop() {
			if err := put(ctx, c, w.canister, "k", "x"); err != nil {
				b.Fatal(err)
			}
		}
	})
	a := w.replica.Agent(b, owner)
	b.Run("agent-go", func(b *testing.B) {
		for b.Loop() {
			if err := a.Call(w.canister, "put_document", []any{"k", []byte("x"), "text/plain", (*idl.Nat)(nil)}, []any{new(personal_2_0_0.PutResult)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
