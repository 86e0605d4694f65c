package host

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// startTimeout bounds fork + checksum + handshake of one adapter. AutoMTLS
// makes a start cost about 0.1 s (go-dependencies.md §6); 30 s leaves room
// for a loaded CI machine without hanging the gateway's start forever.
const startTimeout = 30 * time.Second

// process is one running adapter process.
type process struct {
	client   *plugin.Client
	conn     *pluginConn
	offer    *icOffer
	manifest *Manifest
}

// startProcess verifies src's checksum, starts it, reads and validates its
// manifest and serves IcService to it through its broker.
func startProcess(ctx context.Context, src Source, log *slog.Logger, ics *icService) (*process, error) {
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  adapterproto.Handshake,
		VersionedPlugins: versionedPlugins(),
		Cmd:              src.command(),
		SecureConfig:     &plugin.SecureConfig{Checksum: src.Checksum, Hash: sha256.New()},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     startTimeout,
		Logger:           newHCLogger(log, "adapter."+src.Name),
	})
	p, err := dial(ctx, client, src)
	if err != nil {
		client.Kill()
		return nil, err
	}
	p.offer = &icOffer{broker: p.conn.broker, ics: ics}
	p.offer.brokerID() // offer at once: most adapters dial on their first request
	return p, nil
}

func dial(ctx context.Context, client *plugin.Client, src Source) (*process, error) {
	rpc, err := client.Client()
	if err != nil {
		return nil, fmt.Errorf("start adapter %s (%s): %w", src.Name, src.Path, err)
	}
	raw, err := rpc.Dispense(adapterproto.PluginName)
	if err != nil {
		return nil, fmt.Errorf("adapter %s: dispense: %w", src.Name, err)
	}
	conn, ok := raw.(*pluginConn)
	if !ok {
		return nil, fmt.Errorf("adapter %s: dispensed %T", src.Name, raw)
	}
	resp, err := adapterv1.NewAdapterServiceClient(conn.cc).GetManifest(ctx, &adapterv1.GetManifestRequest{})
	if err != nil {
		return nil, fmt.Errorf("adapter %s: GetManifest: %w", src.Name, err)
	}
	m, err := validateManifest(resp)
	if err != nil {
		return nil, fmt.Errorf("adapter %s: %w", src.Name, err)
	}
	return &process{client: client, conn: conn, manifest: m}, nil
}

// exited reports whether the process is gone.
func (p *process) exited() bool { return p.client.Exited() }

func (p *process) kill() { p.client.Kill() }
