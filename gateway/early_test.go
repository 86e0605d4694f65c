package gateway_test

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/gateway"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestForgedUpdateAnswerIsRefused: the adapter gets an update's reply
// while its certificate is still being verified (host.EarlyCaller), so it
// decodes a forged answer as readily as a true one; the gateway must not
// pass on what it made of it. A call answer whose certificate signature
// has one bit flipped is refused with unavailable, and a clean one
// through the same proxy still answers.
func TestForgedUpdateAnswerIsRefused(t *testing.T) {
	t.Parallel()
	var proxy *replicatest.Proxy
	var forged atomic.Int64
	e := newEnvVia(t, func(target *url.URL) *url.URL {
		proxy = replicatest.NewProxy(target)
		return proxy.Serve(t)
	}, func(*gateway.Config) {}, []string{"personal2"}, "2.0.0")
	cid := e.canister["2.0.0"]
	c := e.client_()
	ctx := context.Background()
	put := func(key string) error {
		_, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: key, Content: []byte("x")}))
		return err
	}
	if err := put("clean"); err != nil {
		t.Fatalf("clean put: %v", err)
	}
	proxy.SetRewrite(func(endpoint string, _, answer []byte) []byte {
		if endpoint != "call" {
			return answer
		}
		forged.Add(1)
		return replicatest.FlipCallSignature(answer)
	})
	err := put("forged")
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("put answered with a forged certificate: %v, want unavailable", err)
	}
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Message() == "" {
		t.Error("the refusal says nothing")
	}
	if forged.Load() == 0 {
		t.Fatal("the proxy forged no call answer: the test exercised nothing")
	}
	proxy.SetRewrite(nil)
	if err := put("clean-again"); err != nil {
		t.Fatalf("clean put after the forgery: %v", err)
	}
}
