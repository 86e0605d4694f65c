// Package host runs the gateway's adapter plugins: it discovers them (the
// built-in adapters, which are the canistry binary itself re-executed as
// `canistry adapter <name>`, and any binary listed with its SHA-256 in the
// manifest of --plugin-dir), verifies each binary's checksum before it
// starts (go-plugin SecureConfig), starts one long-lived go-plugin process
// per adapter (gRPC, AutoMTLS, VersionedPlugins with adapter-contract
// version 1), validates its manifest at wiring time, and supervises it:
// a crashed adapter is restarted with backoff.
//
// Adapters reach the Internet Computer only through the host's IcService,
// served to each adapter process over go-plugin's GRPCBroker. Every
// request an adapter gets carries a capability token scoped to the routed
// canister and the caller's identity, valid only while that request runs.
package host
