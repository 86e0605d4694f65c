// Package adaptertest is the conformance kit for Canistry adapters: Run
// drives an adapter in-process through the real plugin gRPC glue (the same
// conversions as in production) against real personal canisters on a
// replica, and fails the test where the adapter departs from the personal
// API v1 or from its own manifest.
package adaptertest

import (
	"net/url"

	"github.com/aviate-labs/agent-go/identity"

	"github.com/canistry/canistry/sdk/adapter"
)

// Config says where Run finds a replica and what it installs there.
type Config struct {
	// Replica is the replica to run against; nil starts one in-process for
	// the test.
	Replica *Replica
	// Wasm maps a protocol version such as "2.0.0" to the canister module
	// Run installs to check that version (init argument
	// `record { owner : principal }`). Nil means the personal canisters of
	// this repository whose versions satisfy the manifest's constraint.
	Wasm map[string][]byte
	// ReadOnly says the adapter refuses writes. Run then expects writes
	// to fail with FailedPrecondition, PermissionDenied or Unimplemented
	// and writes the documents it reads through Seed instead.
	ReadOnly bool
	// Seed is an adapter for the same versions that can write; required
	// with ReadOnly.
	Seed adapter.Adapter
}

// Replica is a running replica reached over the IC HTTP interface. It must
// offer provisional_create_canister_with_cycles (a local replica does).
type Replica struct {
	URL *url.URL
	// Identity owns the canisters Run installs and makes every call; nil
	// means a fresh Ed25519 identity.
	Identity identity.Identity
}
