package personal

import (
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
)

// InitArg is the install and upgrade argument of every version,
// (record { owner : principal }). Hand-written: agent-go's generator does
// not emit a service's initialisation arguments.
type InitArg struct {
	Owner principal.Principal `ic:"owner"`
}

// EncodeInitArg is the Candid install argument naming owner. On upgrade the
// canister keeps its stored owner, but the argument must still decode.
func EncodeInitArg(owner principal.Principal) ([]byte, error) {
	arg, err := candid.Marshal([]any{InitArg{Owner: owner}})
	if err != nil {
		return nil, fmt.Errorf("encode the personal canister's init argument: %w", err)
	}
	return arg, nil
}
