// Package replica is a local Internet Computer replica: one application
// subnet with one node, faithful to the IC interface specification, so that
// unmodified agents (agent-go, @dfinity/agent) accept it and real canister
// WASM (Motoko's wasm64 with enhanced orthogonal persistence included) runs
// on it as on the IC.
//
// The parts follow the spec's own split:
//
//	httpapi/  envelopes, request ids, signatures, endpoints
//	certify/  the state tree, witnesses, BLS certificates, node keys
//	exec/     wasmtime, the ic0 System API, instruction metering
//	mgmt/     the management canister's methods and permissions
//	state/    durable storage (bbolt)
//	cycles/   the 128-bit cycles amount all of them share
//
// This package ties them together: the Backend the HTTP layer calls, the
// scheduler that executes update messages in rounds, and the canisters.
package replica
