package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	"github.com/canistry/canistry/plugins/personal1"
	"github.com/canistry/canistry/sdk/adapter/adaptertest"
)

// TestConformance checks archive1 as a read-only adapter: the documents it
// reads are written through the built-in personal1 adapter.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, archive{}, adaptertest.Config{ReadOnly: true, Seed: personal1.New()})
}

// manifestPlugin is the smallest host side: it dispenses an
// AdapterService client.
type manifestPlugin struct{ plugin.NetRPCUnsupportedPlugin }

func (manifestPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (manifestPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return adapterv1.NewAdapterServiceClient(conn), nil
}

// TestServeAsPluginProcess builds the example and starts it the way the
// gateway's host does (handshake, versioned plugin set, gRPC, AutoMTLS), so
// Serve is exercised as a real go-plugin process.
func TestServeAsPluginProcess(t *testing.T) {
	bin := buildExample(t)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: adapterproto.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			adapterproto.ContractV1: {adapterproto.PluginName: manifestPlugin{}},
		},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start the plugin: %v", err)
	}
	if v := client.NegotiatedVersion(); v != adapterproto.ContractV1 {
		t.Errorf("negotiated contract version %d, want %d", v, adapterproto.ContractV1)
	}
	raw, err := rpc.Dispense(adapterproto.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	m, err := raw.(adapterv1.AdapterServiceClient).GetManifest(context.Background(), &adapterv1.GetManifestRequest{})
	if err != nil {
		t.Fatalf("GetManifest: %v", err)
	}
	want := archive{}.Manifest()
	if m.GetName() != want.Name || m.GetConstraint() != want.Constraint || len(m.GetServices()) != 1 {
		t.Errorf("GetManifest = %v, want %+v", m, want)
	}
}

// TestRefusesToRunByHand: without the host's handshake cookie the binary
// explains itself and exits instead of serving.
func TestRefusesToRunByHand(t *testing.T) {
	bin := buildExample(t)
	out, err := exec.Command(bin).CombinedOutput()
	if err == nil {
		t.Fatalf("ran without the handshake cookie: %s", out)
	}
}

func buildExample(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "archive1")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
