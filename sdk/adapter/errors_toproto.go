package adapter

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// errorToStatus is the one place an adapter's error becomes a gRPC status:
// *Error keeps its code (and the IC's reject as an IcReject detail),
// *ICError goes through FromIC, a cancelled or expired context keeps that
// meaning, anything else is Internal with its message.
func errorToStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	err = FromIC(err)
	var ae *Error
	switch {
	case errors.As(err, &ae):
		return adapterErrorToStatus(ae)
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	default:
		return status.Error(codes.Internal, err.Error())
	}
}

func adapterErrorToStatus(ae *Error) error {
	st := status.New(codes.Code(ae.Code), ae.Message)
	if ae.IC == nil {
		return st.Err()
	}
	withDetail, err := st.WithDetails(&adapterv1.IcReject{
		RejectCode: ae.IC.RejectCode, ErrorCode: ae.IC.ErrorCode, Message: ae.IC.Message,
	})
	if err != nil {
		// Only a detail that cannot be marshalled fails here; the code
		// and message still reach the host.
		return st.Err()
	}
	return withDetail.Err()
}
