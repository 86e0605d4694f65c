package mgmt

import (
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
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
	switch method {
	case "provisional_create_canister_with_cycles":
		var a ProvisionalCreateArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		id, err := m.ProvisionalCreateCanister(caller, a)
		if err != nil {
			return nil, err
		}
		return encode(CanisterIDResult{CanisterID: id})
	case "create_canister":
		var a CreateCanisterArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		id, err := m.CreateCanister(caller, a)
		if err != nil {
			return nil, err
		}
		return encode(CanisterIDResult{CanisterID: id})
	case "deposit_cycles":
		id, err := TargetCanister(method, arg)
		if err != nil {
			return nil, err
		}
		return empty(m.DepositCycles(id))
	case "raw_rand":
		b, err := m.RawRand()
		if err != nil {
			return nil, err
		}
		return encode(b)
	case "provisional_top_up_canister":
		var a ProvisionalTopUpArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		return empty(m.ProvisionalTopUpCanister(a))
	case "install_code":
		var a InstallCodeArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		return empty(m.InstallCode(caller, a))
	case "uninstall_code":
		var a UninstallCodeArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		return empty(m.UninstallCode(caller, a))
	case "update_settings":
		var a UpdateSettingsArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		return empty(m.UpdateSettings(caller, a))
	case "canister_status":
		id, err := TargetCanister(method, arg)
		if err != nil {
			return nil, err
		}
		st, err := m.CanisterStatus(id)
		if err != nil {
			return nil, err
		}
		return encode(*st)
	case "start_canister", "stop_canister", "delete_canister":
		id, err := TargetCanister(method, arg)
		if err != nil {
			return nil, err
		}
		switch method {
		case "start_canister":
			return empty(m.StartCanister(id))
		case "stop_canister":
			return empty(m.StopCanister(id))
		default:
			return empty(m.DeleteCanister(id))
		}
	}
	return dispatchSnapshots(m, caller, method, arg)
}

// dispatchSnapshots handles the snapshot methods.
func dispatchSnapshots(m Manager, caller principal.Principal, method string, arg []byte) ([]byte, error) {
	switch method {
	case "take_canister_snapshot":
		var a TakeCanisterSnapshotArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		s, err := m.TakeCanisterSnapshot(caller, a)
		if err != nil {
			return nil, err
		}
		return encode(*s)
	case "load_canister_snapshot":
		var a LoadCanisterSnapshotArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		return empty(m.LoadCanisterSnapshot(caller, a))
	case "list_canister_snapshots":
		id, err := TargetCanister(method, arg)
		if err != nil {
			return nil, err
		}
		list, err := m.ListCanisterSnapshots(id)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []Snapshot{}
		}
		return encode(list)
	case "delete_canister_snapshot":
		var a DeleteCanisterSnapshotArgs
		if err := decode(method, arg, &a); err != nil {
			return nil, err
		}
		return empty(m.DeleteCanisterSnapshot(a))
	}
	return nil, unknownMethod(method)
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

func decode(method string, arg []byte, v any) (err error) {
	// agent-go's decoder may panic on adversarial input; a bad payload must be
	// a reject, never a crash of the replica.
	defer func() {
		if r := recover(); r != nil {
			err = reject.New(reject.InvalidManagementPayload, "Error decoding candid for method %s: %v", method, r)
		}
	}()
	if err := candid.Unmarshal(arg, []any{v}); err != nil {
		return reject.New(reject.InvalidManagementPayload, "Error decoding candid for method %s: %v", method, err)
	}
	return nil
}

func encode(v any) ([]byte, error) {
	b, err := candid.Marshal([]any{v})
	if err != nil {
		return nil, fmt.Errorf("encode management reply: %w", err)
	}
	return b, nil
}

func empty(err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return encode0()
}

func encode0() ([]byte, error) { return candid.Marshal([]any{}) }
