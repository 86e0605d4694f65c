package personal1

import (
	"errors"
	"strings"

	"github.com/canistry/canistry/sdk/adapter"
)

// rejectError decides what a CANISTER_REJECT of personal 1.x means: the
// canister rejects strangers ("is not the owner", or inspect refusing an
// ingress call) and requests over its limits; every other reject keeps the
// SDK's mapping.
func rejectError(err error) error {
	var ic *adapter.ICError
	if !errors.As(err, &ic) || ic.RejectCode != 4 {
		return adapter.FromIC(err)
	}
	code := adapter.CodeInvalidArgument
	if strings.Contains(ic.Message, "is not the owner") || strings.Contains(ic.Message, "explicitly refused") {
		code = adapter.CodePermissionDenied
	}
	return &adapter.Error{Code: code, Message: ic.Message, IC: ic}
}
