package adapter

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	"github.com/canistry/canistry/internal/textcut"
)

// ErrorToStatus is the one place an adapter's error becomes a gRPC status
// (API packages such as personalv1 call it on every method's error):
// *Error keeps its code (and the IC's reject as an IcReject detail),
// *ICError goes through FromIC, a cancelled or expired context keeps that
// meaning, anything else is Internal with its message.
func ErrorToStatus(err error) error {
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
		return status.Error(codes.Internal, truncateMessage(err.Error()))
	}
}

// maxMessage bounds an error message on its way to the client: a
// canister's reject can quote kilobytes of what it was given.
const maxMessage = 1024

func truncateMessage(msg string) string { return textcut.Cut(msg, maxMessage) }

func adapterErrorToStatus(ae *Error) error {
	st := status.New(codes.Code(ae.Code), truncateMessage(ae.Message))
	var details []protoadapt.MessageV1
	if ae.IC != nil {
		details = append(details, &adapterv1.IcReject{
			RejectCode: ae.IC.RejectCode, ErrorCode: ae.IC.ErrorCode, Message: truncateMessage(ae.IC.Message),
		})
	}
	if ae.Mismatch != nil {
		details = append(details, &adapterv1.InterfaceMismatch{Method: ae.Mismatch.Method, Reason: ae.Mismatch.Reason})
	}
	if len(details) == 0 {
		return st.Err()
	}
	withDetail, err := st.WithDetails(details...)
	if err != nil {
		// Only a detail that cannot be marshalled fails here; the code
		// and message still reach the host.
		return st.Err()
	}
	return withDetail.Err()
}
