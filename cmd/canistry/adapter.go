package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/canistry/canistry/plugins/personal1"
	"github.com/canistry/canistry/plugins/personal2"
	"github.com/canistry/canistry/plugins/personal3"
	"github.com/canistry/canistry/sdk/adapter"
)

// builtinAdapters are the adapters compiled into this binary; the gateway
// runs each as its own process: `canistry adapter <name>`.
var builtinAdapters = map[string]func() adapter.Adapter{
	"personal1": personal1.New,
	"personal2": personal2.New,
	"personal3": personal3.New,
}

func builtinAdapterNames() []string {
	names := make([]string, 0, len(builtinAdapters))
	for name := range builtinAdapters {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// runAdapter serves one built-in adapter as a go-plugin process. Serve only
// returns by exiting the process.
func runAdapter(args []string, _, stderr io.Writer) error {
	if len(args) != 1 || builtinAdapters[args[0]] == nil {
		fmt.Fprintf(stderr, "Usage: canistry adapter <name>\n\nServes a built-in adapter as a go-plugin process; the gateway runs it.\nNames: %v\n", builtinAdapterNames())
		return errUsage
	}
	adapter.Serve(builtinAdapters[args[0]]())
	return nil
}
