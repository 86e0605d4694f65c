package gateway

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// An adapter that does not cut its messages (a third party's) still gives
// clients a readable one.
func TestAdapterMessagesAreCut(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	st, err := status.New(codes.Internal, long).WithDetails(&adapterv1.IcReject{RejectCode: 5, Message: long})
	if err != nil {
		t.Fatal(err)
	}
	ce := fromAdapterStatus(st)
	if len(ce.Message()) > maxMessage+64 {
		t.Errorf("message of %d bytes", len(ce.Message()))
	}
	for _, d := range ce.Details() {
		v, err := d.Value()
		if e, ok := v.(*personalv1.IcError); err == nil && ok && len(e.GetMessage()) > maxMessage+64 {
			t.Errorf("IcError detail of %d bytes", len(e.GetMessage()))
		}
	}
}
