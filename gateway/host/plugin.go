package host

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/canistry/canistry/internal/adapterproto"
)

// adapterPlugin is the host half of the adapter plugin: the host only
// dials adapters, it never serves one (as terraform-plugin-go only
// implements servers, the other way round).
type adapterPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

var _ plugin.GRPCPlugin = (*adapterPlugin)(nil)

func (*adapterPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("the canistry host only dials adapters")
}

// GRPCClient hands back the raw connection and the broker: the host calls
// the adapter's services on the connection and serves IcService through
// the broker.
func (*adapterPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &pluginConn{cc: cc, broker: broker}, nil
}

type pluginConn struct {
	cc     *grpc.ClientConn
	broker *plugin.GRPCBroker
}

// versionedPlugins is what the host offers in the go-plugin handshake:
// adapter-contract version 1. A contract v2 goes beside it.
func versionedPlugins() map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		adapterproto.ContractV1: {adapterproto.PluginName: &adapterPlugin{}},
	}
}
