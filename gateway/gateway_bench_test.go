package gateway_test

import (
	"context"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// BenchmarkRead isolates the gateway's own cost: one document read from a
// personal/2.0.0 canister on an in-process replica, through the gateway
// (Connect over h2c → adapter process → IcService → the user's delegated
// query, node keys cached) and by agent-go directly as the owner (its
// defaults: it reads the subnet's node keys for every query).
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
	owner := e.replica.Agent(b, e.id)
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			var doc *personal_2_0_0.Document
			if err := owner.Query(cid, "get_document", []any{"bench"}, []any{&doc}); err != nil || doc == nil {
				b.Fatal(err, doc)
			}
		}
	})
}

// BenchmarkUpdate is BenchmarkRead for PutDocument: through the gateway
// (the user's delegated call) and by agent-go directly as the owner. integration.BenchmarkGatewayUpdate measures the same with every
// part in its own process.
func BenchmarkUpdate(b *testing.B) {
	e := newEnv(b, []string{"personal2"}, "2.0.0")
	cid := e.canister["2.0.0"]
	ctx := context.Background()
	c := e.client_()
	content := make([]byte, 256)
	b.Run("gateway", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "bench", Content: content})); err != nil {
				b.Fatal(err)
			}
		}
	})
	owner := e.replica.Agent(b, e.id)
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			var res personal_2_0_0.PutResult
			if err := owner.Call(cid, "put_document", []any{"bench", content, "application/octet-stream", (*idl.Nat)(nil)}, []any{&res}); err != nil || res.Ok == nil {
				b.Fatal(err, res.Err)
			}
		}
	})
}
