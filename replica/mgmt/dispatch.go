package mgmt

import (
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/reject"
)

// Manager carries out management canister methods on the replica's state.
// caller is the principal that called aaaaa-aa (a user or a canister);
// permissions are checked before the Manager is called.
type Manager interface {
	ProvisionalCreateCanister(caller principal.Principal, args ProvisionalCreateArgs) (principal.Principal, error)
	CreateCanister(caller principal.Principal, args CreateCanisterArgs) (principal.Principal, error)
	DepositCycles(canister principal.Principal) error
	RawRand() ([]byte, error)
	ProvisionalTopUpCanister(args ProvisionalTopUpArgs) error
	InstallCode(caller principal.Principal, args InstallCodeArgs) error
	UninstallCode(caller principal.Principal, args UninstallCodeArgs) error
	UpdateSettings(caller principal.Principal, args UpdateSettingsArgs) error
	CanisterStatus(canister principal.Principal) (*CanisterStatusResult, error)
	StartCanister(canister principal.Principal) error
	StopCanister(canister principal.Principal) error
	DeleteCanister(canister principal.Principal) error
	TakeCanisterSnapshot(caller principal.Principal, args TakeCanisterSnapshotArgs) (*Snapshot, error)
	LoadCanisterSnapshot(caller principal.Principal, args LoadCanisterSnapshotArgs) error
	ListCanisterSnapshots(canister principal.Principal) ([]Snapshot, error)
	DeleteCanisterSnapshot(args DeleteCanisterSnapshotArgs) error
}

// Dispatch decodes arg for method, calls the manager and encodes the reply.
// Permissions must have been checked with Authorize before.
func Dispatch(m Manager, caller principal.Principal, method string, arg []byte) ([]byte, error) {
	meth, ok := Lookup(method)
	if !ok {
		return nil, unknownMethod(method)
	}
	return meth.run.call(m, caller, method, arg)
}

// TargetCanister reads the canister_id field of a method's argument record.
func TargetCanister(method string, arg []byte) (principal.Principal, error) {
	var a CanisterIDArg
	if err := decode(method, arg, &a); err != nil {
		return principal.Principal{}, err
	}
	return a.CanisterID, nil
}

func unknownMethod(method string) *reject.Error {
	return reject.New(reject.UnknownManagementMessage, "Management canister has no method '%s'", method)
}
