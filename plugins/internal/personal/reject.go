package personal

import (
	"errors"
	"strings"

	"github.com/canistry/canistry/plugins/motoko"
	"github.com/canistry/canistry/sdk/adapter"
)

// RejectError decides what a reject of a personal canister means. The
// canisters are Motoko, whose refusals carry only text, so this is where
// their conventions are read — in the adapter that knows them, never in the
// gateway: every version refuses strangers ("is not the owner", or inspect
// refusing an ingress call) and requests over its documented limits; an
// argument the canister cannot decode, or inspect refusing a method it does
// not know, means the canister is not the version the binding was made for
// (a typed Mismatch for the gateway); every other reject keeps the SDK's
// mapping.
func RejectError(err error) error {
	var ic *adapter.ICError
	switch {
	case !errors.As(err, &ic):
		return err
	case refusesStranger(ic):
		return &adapter.Error{Code: adapter.CodePermissionDenied, Message: ic.Message, IC: ic}
	case motoko.InterfaceMismatch(ic.Message):
		e := adapter.FromIC(ic).(*adapter.Error)
		e.Mismatch = &adapter.Mismatch{Reason: "the canister does not speak the expected interface: " + ic.Message}
		return e
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
