package adaptertest

import (
	"context"
	"testing"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/sdk/adapter"
)

// kitPlugin adds the host's half to the SDK's adapter-side plugin, so that
// plugin.TestPluginGRPCConn connects the two in-process over real gRPC.
type kitPlugin struct {
	adapter.GRPCPlugin
}

type hostConn struct {
	conn   *grpc.ClientConn
	broker *plugin.GRPCBroker
}

func (p *kitPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return &hostConn{conn: conn, broker: broker}, nil
}

// host is the kit's stand-in for the gateway's plugin host: it talks to
// the adapter through the plugin connection and serves IcService to it
// over the GRPCBroker.
type host struct {
	conn     *hostConn
	personal pb.PersonalServiceClient
	manifest adapterv1.AdapterServiceClient
	ic       *icService
	brokerID uint32
}

func startHost(t *testing.T, a adapter.Adapter, ic *icService) *host {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, true, plugin.PluginSet{
		adapterproto.PluginName: &kitPlugin{adapter.GRPCPlugin{Adapter: a}},
	})
	// Closing the client shuts the server down through go-plugin's
	// controller; stopping it here as well would race with that.
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(adapterproto.PluginName)
	if err != nil {
		t.Fatalf("dispense the adapter plugin: %v", err)
	}
	hc := raw.(*hostConn)
	return (&host{
		conn:     hc,
		personal: pb.NewPersonalServiceClient(hc.conn),
		manifest: adapterv1.NewAdapterServiceClient(hc.conn),
	}).withIC(ic)
}

// withIC is h with ic served on a new broker id.
func (h *host) withIC(ic *icService) *host {
	brokerID := h.conn.broker.NextId()
	go h.conn.broker.AcceptAndServe(brokerID, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		adapterv1.RegisterIcServiceServer(s, ic)
		return s
	})
	out := *h
	out.ic, out.brokerID = ic, brokerID
	return &out
}
