package gateway_test

import (
	"context"
	"testing"

	"connectrpc.com/grpchealth"

	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
)

// TestHealth: the stable service serves while every adapter does.
func TestHealth(t *testing.T) {
	t.Parallel()
	h := gateway.NewHealth()
	checker := h.Checker()
	status := func(service string) grpchealth.Status {
		resp, err := checker.Check(context.Background(), &grpchealth.CheckRequest{Service: service})
		if err != nil {
			return grpchealth.StatusUnknown
		}
		return resp.Status
	}
	steps := []struct {
		adapter string
		serving bool
		service grpchealth.Status
	}{
		{"personal1", true, grpchealth.StatusServing},
		{"personal2", true, grpchealth.StatusServing},
		{"personal2", false, grpchealth.StatusNotServing},
		{"personal1", false, grpchealth.StatusNotServing},
		{"personal2", true, grpchealth.StatusNotServing},
		{"personal1", true, grpchealth.StatusServing},
	}
	for i, s := range steps {
		h.Set(s.adapter, s.serving)
		want := grpchealth.StatusNotServing
		if s.serving {
			want = grpchealth.StatusServing
		}
		if got := status(gateway.AdapterHealthPrefix + s.adapter); got != want {
			t.Errorf("step %d: %s = %v, want %v", i, s.adapter, got, want)
		}
		if got := status(personalv1connect.PersonalServiceName); got != s.service {
			t.Errorf("step %d: PersonalService = %v, want %v", i, got, s.service)
		}
	}
}
