package hosttest

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

var documentsCaps = []string{"CAPABILITY_DOCUMENTS"}
var revisionsCaps = []string{"CAPABILITY_DOCUMENTS", "CAPABILITY_REVISIONS", "CAPABILITY_CONDITIONAL_WRITES"}

// manifests are the adapters this package can be.
var manifests = map[string]*adapterv1.GetManifestResponse{
	"personal1":  manifest("personal1", ">= 1.0, < 2.0", documentsCaps...),
	"personal2":  manifest("personal2", ">= 2.0, < 3.0", revisionsCaps...),
	"personal3":  manifest("personal3", ">= 3.0, < 4.0", append(revisionsCaps, "CAPABILITY_MESSAGING")...),
	"badcap":     manifest("badcap", ">= 9.0", "CAPABILITY_TELEPORTATION"),
	"overlap2":   manifest("overlap2", ">= 2.5, < 2.7", revisionsCaps...),
	"badservice": withServices(manifest("badservice", ">= 8.0"), "canistry.nothing.v1.NoService"),
}

func manifest(name, constraint string, caps ...string) *adapterv1.GetManifestResponse {
	return &adapterv1.GetManifestResponse{
		Name: name, Version: "0.1.0", Protocol: "personal", Constraint: constraint,
		Services: []string{"canistry.personal.v1.PersonalService"}, Capabilities: caps,
	}
}

func withServices(m *adapterv1.GetManifestResponse, s ...string) *adapterv1.GetManifestResponse {
	m.Services = s
	return m
}

// Names are the adapters Serve knows.
func Names() []string { return []string{"personal1", "personal2", "personal3"} }

// Serve runs the named adapter as a go-plugin process; it returns only on
// an unknown name (go-plugin exits the process when the host goes away).
func Serve(name string) error {
	m, ok := manifests[name]
	if !ok {
		return fmt.Errorf("hosttest: no adapter %q", name)
	}
	go exitWithHost(os.Getppid())
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: adapterproto.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			adapterproto.ContractV1: {adapterproto.PluginName: &serverPlugin{manifest: m}},
		},
		GRPCServer: plugin.DefaultGRPCServer,
		Logger:     hclog.New(&hclog.LoggerOptions{Name: name, Output: os.Stderr, JSONFormat: true, Level: hclog.Info}),
	})
	return nil
}

// exitWithHost ends the test adapter once the process that started it is
// gone: go-plugin cannot stop adapters of a host killed with SIGKILL, and a
// leftover adapter would keep the descriptors it inherited (a test run's
// pipes, locks) open long after the test.
func exitWithHost(host int) {
	for range time.Tick(500 * time.Millisecond) {
		if os.Getppid() != host {
			os.Exit(0)
		}
	}
}

type serverPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	manifest *adapterv1.GetManifestResponse
}

func (p *serverPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	adapterv1.RegisterAdapterServiceServer(s, &adapterService{manifest: p.manifest})
	personalv1.RegisterPersonalServiceServer(s, newPersonal(broker, p.manifest))
	return nil
}

func (p *serverPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, fmt.Errorf("hosttest only serves")
}

type adapterService struct {
	adapterv1.UnimplementedAdapterServiceServer
	manifest *adapterv1.GetManifestResponse
}

func (s *adapterService) GetManifest(context.Context, *adapterv1.GetManifestRequest) (*adapterv1.GetManifestResponse, error) {
	return s.manifest, nil
}
