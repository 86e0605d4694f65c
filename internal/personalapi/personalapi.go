// Package personalapi holds the rules of the stable personal API
// (protocol/canistry/personal/v1) that its protobuf states only in
// comments, for every package that serves or checks it: the gateway, the
// SDK (which re-exports them for adapter authors) and the test adapters.
package personalapi

// DefaultContentType is what an empty content type means, and the content
// type of every document of a canister that keeps none (personal/1.x).
const DefaultContentType = "application/octet-stream"
