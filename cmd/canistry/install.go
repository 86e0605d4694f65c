package main

import (
	"context"
	"fmt"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica/mgmt"
)

var managementCanister = principal.MustDecode("aaaaa-aa")

// personalWasm is the embedded personal canister of a protocol version.
func personalWasm(version string) ([]byte, error) {
	wasm, err := canisters.Wasm("personal/" + version + "/canister.wasm")
	if err != nil {
		return nil, fmt.Errorf("no personal canister %s (have %v): %w", version, protocolVersions, err)
	}
	return wasm, nil
}

// ownerArg is the install and upgrade argument of every personal version.
func ownerArg(owner principal.Principal) ([]byte, error) {
	return candid.Marshal([]any{struct {
		Owner principal.Principal `ic:"owner"`
	}{owner}})
}

// createPersonal creates a canister and installs the personal canister of
// version on it, owned by the agent's identity.
func createPersonal(ctx context.Context, a *agent.Agent, version string) (principal.Principal, error) {
	wasm, err := personalWasm(version)
	if err != nil {
		return principal.Principal{}, err
	}
	var out mgmt.CanisterIDResult
	if err := a.CallWithContext(ctx, managementCanister, "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{}}, []any{&out}); err != nil {
		return principal.Principal{}, fmt.Errorf("create canister: %w", err)
	}
	null := idl.Null{}
	if err := installCode(ctx, a, out.CanisterID, wasm, mgmt.InstallMode{Install: &null}); err != nil {
		return principal.Principal{}, err
	}
	return out.CanisterID, nil
}

// upgradePersonal upgrades a personal canister to version, keeping its
// (enhanced orthogonal persistence) memory.
func upgradePersonal(ctx context.Context, a *agent.Agent, canister principal.Principal, version string) error {
	wasm, err := personalWasm(version)
	if err != nil {
		return err
	}
	null := idl.Null{}
	opts := &mgmt.UpgradeOptions{WasmMemoryPersistence: &mgmt.MemoryPersistence{Keep: &null}}
	return installCode(ctx, a, canister, wasm, mgmt.InstallMode{Upgrade: &opts})
}

func installCode(ctx context.Context, a *agent.Agent, canister principal.Principal, wasm []byte, mode mgmt.InstallMode) error {
	// On upgrade the stored owner is kept; the argument must still decode.
	arg, err := ownerArg(a.Sender())
	if err != nil {
		return err
	}
	err = a.CallWithContext(ctx, managementCanister, "install_code", []any{mgmt.InstallCodeArgs{
		Mode: mode, CanisterID: canister, WasmModule: wasm, Arg: arg,
	}}, []any{})
	if err != nil {
		return fmt.Errorf("install_code on %s: %w", canister, err)
	}
	return nil
}
