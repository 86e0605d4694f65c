// Package gateway serves the stable client API (canistry.personal.v1)
// over Connect, gRPC and gRPC-Web, JSON and binary, on HTTP/1.1 and
// HTTP/2 (h2c), with grpchealth and grpcreflect beside it.
//
// Each request goes one way through: route (the Canistry-Canister
// header names the canister) → negotiate (the canister's certified
// canistry:protocol metadata and module hash, cached per canister) →
// capability check (a feature the version lacks is refused before any
// adapter runs) → the adapter for that version, a plugin process reached
// through gateway/host, which calls the canister through the host's
// capability. Answers carry Canistry-Protocol: personal/x.y.z. Errors are
// mapped onto Connect codes in one place (errors.go).
package gateway
