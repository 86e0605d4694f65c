// Package adapterproto holds what both ends of the adapter plugin contract
// must agree on: the go-plugin handshake, the plugin name, the contract
// versions and the gRPC metadata keys. The adapter side lives in
// sdk/adapter, the host side in gateway/host.
package adapterproto

import "github.com/hashicorp/go-plugin"

// Handshake keeps a binary that is not a Canistry adapter from being
// started as one: go-plugin refuses to run when the cookie is missing.
// ProtocolVersion is superseded by VersionedPlugins (see Versions).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "CANISTRY_ADAPTER_PLUGIN",
	MagicCookieValue: "4a1c2b7e9f0d3c5a8b6e1f2d7c9a0b3e",
}

// PluginName is the name under which the adapter plugin is dispensed.
const PluginName = "adapter"

// ContractV1 is adapter-contract version 1 (protocol/canistry/adapter/v1).
// A version 2 would be added beside it; go-plugin picks the highest version
// both ends have.
const ContractV1 = 1

// The gRPC metadata keys the host sets on every stable-service request.
const (
	MetaCanister = "canistry-canister"
	MetaProtocol = "canistry-protocol"
	MetaIcBroker = "canistry-ic-broker"
	MetaIcToken  = "canistry-ic-token"
)
