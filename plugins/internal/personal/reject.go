package personal

import (
	"errors"
	"strings"

	"github.com/canistry/canistry/sdk/adapter"
)

// RejectError decides what a CANISTER_REJECT of a personal canister means:
// every version refuses strangers ("is not the owner", or inspect refusing
// an ingress call) and requests over its documented limits; every other
// reject keeps the SDK's mapping.
func RejectError(err error) error {
	var ic *adapter.ICError
	switch {
	case !errors.As(err, &ic):
		return err
	case refusesStranger(ic):
		return &adapter.Error{Code: adapter.CodePermissionDenied, Message: ic.Message, IC: ic}
	case ic.RejectCode == 4:
		return &adapter.Error{Code: adapter.CodeInvalidArgument, Message: ic.Message, IC: ic}
	default:
		return adapter.FromIC(ic)
	}
}

// refusesStranger recognises the canister refusing a caller that is not
// its owner: a method's reject ("caller ... is not the owner"), or its
// inspect_message trapping on an ingress update call (CANISTER_ERROR,
// since Motoko refuses by trapping).
func refusesStranger(ic *adapter.ICError) bool {
	return (ic.RejectCode == 4 && strings.Contains(ic.Message, "is not the owner")) ||
		(ic.RejectCode == 5 && strings.Contains(ic.Message, "canister_inspect_message explicitly refused"))
}
