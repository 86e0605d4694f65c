package adapter

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// GRPCPlugin is the adapter side of the go-plugin contract: it serves
// AdapterService and the stable services of Adapter on the plugin's gRPC
// server. Serve uses it; tests can hand it to plugin.TestPluginGRPCConn
// (embedding it to add a GRPCClient) to run an adapter in-process through
// the same gRPC glue as in production.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Adapter Adapter
}

// GRPCServer registers the adapter's services. IcService is reached through
// broker, dialed on the first request that names a broker id.
func (p *GRPCPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	if err := Validate(p.Adapter); err != nil {
		return err
	}
	ic := newICDialer(broker)
	adapterv1.RegisterAdapterServiceServer(s, &manifestServer{adapter: p.Adapter})
	for _, svc := range p.Adapter.Manifest().Services {
		b, _ := bindingOf(svc) // Validate found every one
		b.Register(s, p.Adapter, ic)
	}
	return nil
}

// GRPCClient is the host's half, which lives in the gateway, not the SDK.
func (p *GRPCPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("adapter: the SDK implements only the adapter (server) side of the plugin")
}

type manifestServer struct {
	adapterv1.UnimplementedAdapterServiceServer
	adapter Adapter
}

func (s *manifestServer) GetManifest(context.Context, *adapterv1.GetManifestRequest) (*adapterv1.GetManifestResponse, error) {
	return manifestToProto(s.adapter.Manifest()), nil
}
