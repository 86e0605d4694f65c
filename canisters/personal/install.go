package personal

import (
	"context"
	"fmt"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica/mgmt"
)

// management is aaaaa-aa.
var management = principal.MustDecode("aaaaa-aa")

// Create makes an empty canister with provisional cycles (a local replica
// or a test environment), controlled by a's identity.
func Create(ctx context.Context, a ic.Manager) (principal.Principal, error) {
	var out mgmt.CanisterIDResult
	if err := a.CallWithContext(ctx, management, "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{}}, []any{&out}); err != nil {
		return principal.Principal{}, fmt.Errorf("create canister: %w", err)
	}
	return out.CanisterID, nil
}

// CreateRelease creates a canister and installs release v on it, owned by
// a's identity.
func CreateRelease(ctx context.Context, a ic.Manager, v string) (principal.Principal, error) {
	wasm, err := Wasm(v)
	if err != nil {
		return principal.Principal{}, err
	}
	id, err := Create(ctx, a)
	if err != nil {
		return principal.Principal{}, err
	}
	if err := Install(ctx, a, id, wasm, a.Sender()); err != nil {
		return principal.Principal{}, err
	}
	return id, nil
}

// Install installs wasm (a personal canister) on the empty canister id,
// owned by owner.
func Install(ctx context.Context, a ic.Manager, id principal.Principal, wasm []byte, owner principal.Principal) error {
	null := idl.Null{}
	return installCode(ctx, a, id, wasm, owner, mgmt.InstallMode{Install: &null})
}

// UpgradeTo upgrades the canister id to release v.
func UpgradeTo(ctx context.Context, a ic.Manager, id principal.Principal, v string) error {
	wasm, err := Wasm(v)
	if err != nil {
		return err
	}
	return Upgrade(ctx, a, id, wasm)
}

// Upgrade upgrades the canister id to wasm with wasm_memory_persistence =
// keep, which enhanced orthogonal persistence requires (as on the IC). The
// argument names a's identity; the canister keeps its stored owner.
func Upgrade(ctx context.Context, a ic.Manager, id principal.Principal, wasm []byte) error {
	null := idl.Null{}
	opts := &mgmt.UpgradeOptions{WasmMemoryPersistence: &mgmt.MemoryPersistence{Keep: &null}}
	return installCode(ctx, a, id, wasm, a.Sender(), mgmt.InstallMode{Upgrade: &opts})
}

func installCode(ctx context.Context, a ic.Manager, id principal.Principal, wasm []byte, owner principal.Principal, mode mgmt.InstallMode) error {
	arg, err := EncodeInitArg(owner)
	if err != nil {
		return err
	}
	err = a.CallWithContext(ctx, management, "install_code", []any{mgmt.InstallCodeArgs{
		Mode: mode, CanisterID: id, WasmModule: wasm, Arg: arg,
	}}, []any{})
	if err != nil {
		return fmt.Errorf("install_code on %s: %w", id, err)
	}
	return nil
}
