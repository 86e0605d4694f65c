// Package registry knows the registry canister (canisters/registry): its
// embedded wasm, how to install it, and a typed client of its Candid
// interface (protocol/canister/registry/1.0.0.did) with Go-native types.
//
// The generated bindings (internal/candid/registry_1_0_0) stay inside this
// package: callers see App, Release, Canister, Upgrade, Event, Quotas and
// *Error.
package registry

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/internal/candid/registry_1_0_0"
	"github.com/canistry/canistry/replica/mgmt"
)

// Protocol is what the registry's protocol() answers and its
// canistry:protocol metadata says.
const Protocol = "registry/1.0.0"

//go:embed canister.wasm
var wasm []byte

// Wasm is the built registry module (a fresh copy the caller may keep).
func Wasm() []byte { return append([]byte(nil), wasm...) }

// Init is the registry's install argument.
type Init struct {
	// SelfAudit lists principals who may approve their own uploads; only
	// `canistry dev` names its dev identity here, and every such approval
	// is logged as a waiver.
	SelfAudit []principal.Principal
}

// EncodeInit is the Candid install (and upgrade) argument of init.
func EncodeInit(init Init) ([]byte, error) {
	self := init.SelfAudit
	if self == nil {
		self = []principal.Principal{}
	}
	arg, err := candid.Marshal([]any{registry_1_0_0.RegistryInit{SelfAudit: self}})
	if err != nil {
		return nil, fmt.Errorf("encode the registry's init argument: %w", err)
	}
	return arg, nil
}

var management = principal.MustDecode("aaaaa-aa")

// Install installs the embedded registry on the empty canister id; a's
// identity becomes its first operator.
func Install(ctx context.Context, a ic.Manager, id principal.Principal, init Init) error {
	null := idl.Null{}
	return InstallWasm(ctx, a, id, Wasm(), init, mgmt.InstallMode{Install: &null})
}

// InstallWasm installs (or, with an upgrade mode, upgrades) a registry
// module on id. Upgrades must keep the wasm memory (enhanced orthogonal
// persistence): pass wasm_memory_persistence = keep.
func InstallWasm(ctx context.Context, a ic.Manager, id principal.Principal, module []byte, init Init, mode mgmt.InstallMode) error {
	arg, err := EncodeInit(init)
	if err != nil {
		return err
	}
	err = a.CallWithContext(ctx, management, "install_code", []any{mgmt.InstallCodeArgs{
		Mode: mode, CanisterID: id, WasmModule: module, Arg: arg,
	}}, []any{})
	if err != nil {
		return fmt.Errorf("install the registry on %s: %w", id, err)
	}
	return nil
}
