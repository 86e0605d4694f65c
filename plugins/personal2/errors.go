package personal2

import (
	"errors"
	"strings"

	"github.com/canistry/canistry/sdk/adapter"
)

// WriteError maps the canister's typed WriteError onto the stable codes.
func (e *writeError) toAdapter(key string) error {
	switch {
	case e == nil:
		return adapter.Errorf(adapter.CodeInternal, "the canister answered err without a WriteError")
	case e.Conflict != nil:
		if e.Conflict.Current == nil {
			return adapter.Errorf(adapter.CodeAborted, "document %q: revision conflict, the document does not exist", key)
		}
		return adapter.Errorf(adapter.CodeAborted, "document %q: revision conflict, the current revision is %s",
			key, e.Conflict.Current.BigInt())
	case e.NotFound != nil:
		return adapter.Errorf(adapter.CodeNotFound, "no document %q", key)
	case e.Invalid != nil:
		return adapter.Errorf(adapter.CodeInvalidArgument, "%s", *e.Invalid)
	case e.Unauthorized != nil:
		return adapter.Errorf(adapter.CodePermissionDenied, "the caller is not the owner of this canister")
	default:
		return adapter.Errorf(adapter.CodeInternal, "the canister answered an unknown WriteError")
	}
}

// RejectError decides what a CANISTER_REJECT of personal 2.x/3.x means:
// untyped methods reject requests over the limits ("personal/2.0.0: key is
// 257 bytes ...") and strangers; inspect refuses strangers' ingress calls.
// Every other reject keeps the SDK's mapping.
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
