package gateway

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
)

func TestDeadlineInterceptor(t *testing.T) {
	var got time.Duration
	next := connect.UnaryFunc(func(ctx context.Context, _ connect.AnyRequest) (connect.AnyResponse, error) {
		if dl, ok := ctx.Deadline(); ok {
			got = time.Until(dl)
		} else {
			got = -1
		}
		return nil, nil
	})
	call := deadlineInterceptor(time.Minute)(next)
	_, _ = call(context.Background(), nil)
	if got <= 50*time.Second || got > time.Minute {
		t.Errorf("a request without a deadline got %v, want the gateway's minute", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _ = call(ctx, nil)
	if got > time.Second {
		t.Errorf("the client's 1 s deadline became %v", got)
	}
}
