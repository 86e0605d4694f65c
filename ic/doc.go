// Package ic is the gateway's way to the Internet Computer: agent-go
// agents, one per identity, sharing one pooled HTTP transport, with raw
// (Candid-opaque) query and update calls, the certified read of a
// canister's protocol metadata and module hash, and typed rejects.
//
// It talks to a replica only through the IC HTTP interface, so the same
// code serves a local replica and mainnet.
package ic
