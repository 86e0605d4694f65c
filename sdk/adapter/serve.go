package adapter

import (
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/canistry/canistry/internal/adapterproto"
)

// Serve runs a as a Canistry adapter plugin: it is what an adapter's main
// calls, and it returns only when the host ends the process. The host
// starts the binary; run by hand it explains itself and exits. An adapter
// that fails Validate exits at once with the reason, so a broken adapter is
// caught when it is loaded, not on its first request.
func Serve(a Adapter) {
	if err := Validate(a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go exitWithHost(os.Getppid(), parentPoll)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  adapterproto.Handshake,
		VersionedPlugins: PluginSets(a),
		GRPCServer:       plugin.DefaultGRPCServer,
		// go-plugin forwards the plugin's hclog output on stderr to the host,
		// which logs it under the adapter's name.
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       a.Manifest().Name,
			Level:      hclog.Info,
			JSONFormat: true,
			Output:     os.Stderr,
		}),
	})
}

// PluginSets is the adapter side of every adapter-contract version this SDK
// speaks, for go-plugin's VersionedPlugins.
func PluginSets(a Adapter) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		adapterproto.ContractV1: {adapterproto.PluginName: &GRPCPlugin{Adapter: a}},
	}
}

// parentPoll is how often an adapter checks that its host still runs.
const parentPoll = 500 * time.Millisecond

// exitWithHost ends the adapter once the process that started it is gone.
// A host that stops normally kills its adapters, but one killed with
// SIGKILL cannot, and an adapter outliving its host would hold its
// resources with nobody to serve.
func exitWithHost(host int, every time.Duration) {
	for range time.Tick(every) {
		if os.Getppid() != host {
			os.Exit(0)
		}
	}
}
