// Package adapter is what an adapter author imports: the hand-written types
// of the stable client API, the Internet Computer capability an adapter gets
// per request, typed errors, and Serve, which runs an adapter as a
// go-plugin process for the Canistry gateway.
//
// An adapter translates the stable API (for instance the personal API v1)
// into calls to canisters of the protocol versions it declares in its
// Manifest. It never holds keys: each request comes with an IC scoped to the
// routed canister and the caller's identity.
//
// Generated protobuf code stays inside the SDK; adapter authors see only
// the types of this package.
package adapter
