package mgmt

import (
	"bytes"

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
	UploadChunk(args UploadChunkArgs) (*ChunkHash, error)
	StoredChunks(canister principal.Principal) ([]ChunkHash, error)
	ClearChunkStore(canister principal.Principal) error
	// InstallChunkedCode is install_code from a chunk store; the caller's
	// control of the store canister is the manager's to check.
	InstallChunkedCode(caller principal.Principal, args InstallChunkedCodeArgs) error
	CanisterInfo(args CanisterInfoArgs) (*CanisterInfoResult, error)
}

// Viewer serves the management methods that are query calls.
type Viewer interface {
	// FetchCanisterLogs answers fetch_canister_logs; it checks the
	// canister's log_visibility against the caller.
	FetchCanisterLogs(caller, canister principal.Principal) (*FetchCanisterLogsResult, error)
}

// View answers a query call to the management canister: only methods the
// IC serves as queries, and only for the canister the effective canister id
// names (a mismatch is an *EffectiveIDError).
func View(v Viewer, caller, effective principal.Principal, method string, arg []byte) ([]byte, error) {
	meth, ok := Lookup(method)
	if !ok {
		return nil, unknownMethod(method)
	}
	if !meth.Query {
		return nil, reject.New(reject.CanisterRejectedMessage, "Management canister method '%s' cannot be called as a query", method)
	}
	target, err := TargetCanister(method, arg)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(target.Raw, effective.Raw) {
		return nil, &EffectiveIDError{Target: target, Effective: effective}
	}
	return meth.run.query(v, caller, method, arg)
}

// Dispatch decodes arg for method, calls the manager and encodes the reply.
// Permissions must have been checked with Authorize before.
func Dispatch(m Manager, caller principal.Principal, method string, arg []byte) ([]byte, error) {
	meth, ok := Lookup(method)
	if !ok {
		return nil, unknownMethod(method)
	}
	if meth.Query {
		return nil, queryOnly(method)
	}
	return meth.run.call(m, caller, method, arg)
}

// TargetCanister reads the managed canister from a method's argument
// record: its canister_id field, or target_canister for install_chunked_code.
func TargetCanister(method string, arg []byte) (principal.Principal, error) {
	if m, _ := Lookup(method); m.TargetField == "target_canister" {
		var a struct {
			TargetCanister principal.Principal `ic:"target_canister"`
		}
		err := decode(method, arg, &a)
		return a.TargetCanister, err
	}
	var a CanisterIDArg
	if err := decode(method, arg, &a); err != nil {
		return principal.Principal{}, err
	}
	return a.CanisterID, nil
}

// queryOnly refuses a replicated call of a method the IC serves only as a
// query, in the IC's words.
func queryOnly(method string) *reject.Error {
	return reject.New(reject.CanisterRejectedMessage, "%s API is only accessible in non-replicated mode", method)
}

func unknownMethod(method string) *reject.Error {
	return reject.New(reject.UnknownManagementMessage, "Management canister has no method '%s'", method)
}
