package gateway_test

import (
	"context"
	"testing"

	"github.com/aviate-labs/agent-go/candid"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// BenchmarkRead isolates the gateway's own cost: one document read from a
// personal/2.0.0 canister on an in-process replica, through the gateway
// (Connect over h2c → adapter process → IcService → agent-go) and by the
// gateway's own agent-go client directly. The difference is the gateway
// hop plus two gRPC round trips to and from the adapter process.
// integration.BenchmarkGatewayRead measures the same with every part in
// its own process.
func BenchmarkRead(b *testing.B) {
	e := newEnv(b, []string{"personal2"}, "2.0.0")
	cid := e.canister["2.0.0"]
	ctx := context.Background()
	c := e.client_()
	if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "bench", Content: make([]byte, 256)})); err != nil {
		b.Fatal(err)
	}
	b.Run("gateway", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "bench"})); err != nil {
				b.Fatal(err)
			}
		}
	})
	arg, _ := candid.Marshal([]any{"bench"})
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.client.Query(ctx, cid, "get_document", arg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
