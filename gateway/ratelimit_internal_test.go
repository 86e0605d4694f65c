package gateway

import (
	"errors"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

func TestUserRates(t *testing.T) {
	u := newUserRates(10, 2)
	alice, bob := principal.MustDecode("2vxsx-fae"), principal.MustDecode("aaaaa-aa")
	now := time.Unix(1_700_000_000, 0)
	for i := range 2 {
		if err := u.allow(alice, now); err != nil {
			t.Fatalf("request %d within the burst: %v", i, err)
		}
	}
	err := u.allow(alice, now)
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("past the burst: %v, want resource_exhausted", err)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%T is no *connect.Error", err)
	}
	var retry *errdetails.RetryInfo
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if r, ok := v.(*errdetails.RetryInfo); ok {
				retry = r
			}
		}
	}
	if retry == nil || retry.GetRetryDelay().AsDuration() != 100*time.Millisecond || ce.Meta().Get("Retry-After") != "1" {
		t.Errorf("retry hint %v, Retry-After %q; want 100ms and 1", retry, ce.Meta().Get("Retry-After"))
	}
	if err := u.allow(bob, now); err != nil {
		t.Errorf("bob is limited by alice's rate: %v", err)
	}
	if err := u.allow(alice, now.Add(100*time.Millisecond)); err != nil {
		t.Errorf("after the retry delay: %v", err)
	}
	if err := u.allow(alice, now.Add(time.Hour)); err != nil || len(u.buckets) != 1 {
		t.Errorf("an hour later: %v with %d buckets kept; want bob's idle bucket dropped", err, len(u.buckets))
	}
	if err := newUserRates(0, 0).allow(alice, now); err != nil {
		t.Errorf("rate 0 limits: %v", err)
	}
}
