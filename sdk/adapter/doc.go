// Package adapter is the core of what an adapter author imports: the
// Manifest, the Internet Computer capability an adapter gets per request,
// typed errors, and Serve, which runs an adapter as a go-plugin process for
// the Canistry gateway. Each stable client API version has its own package
// beside it (personalv1), with its Server interface and hand-written types.
//
// An adapter translates the stable API (for instance the personal API v1)
// into calls to canisters of the protocol versions it declares in its
// Manifest. It never holds keys: each request comes with an IC scoped to the
// routed canister and the caller's identity.
//
// Generated protobuf code stays inside the SDK; adapter authors see only
// the types of this package and of the API packages.
package adapter
