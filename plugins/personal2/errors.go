package personal2

import (
	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
	"github.com/canistry/canistry/sdk/adapter"
)

// writeErrorOf maps the canister's typed WriteError onto the stable codes.
func writeErrorOf(e *personal_2_0_0.WriteError, key string) error {
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
