package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/canistry/canistry/plugins/host/hosttest"
)

// builtinAdapters are the adapters compiled into this binary; the gateway
// runs each as `canistry adapter <name>`.
var builtinAdapters = []string{"personal1", "personal2", "personal3"}

// serveBuiltinAdapter serves one built-in adapter as a go-plugin process.
//
// TODO(lead): wire the SDK adapters when the sdk branch lands, e.g.
//
//	switch name {
//	case "personal1": adapter.Serve(personal1.New())
//	case "personal2": adapter.Serve(personal2.New())
//	case "personal3": adapter.Serve(personal3.New())
//	}
//
// Until then this serves plugins/host/hosttest's adapter, a real plugin
// process that translates the documents part of the personal API (not
// messaging) to the canisters' Candid.
func serveBuiltinAdapter(name string) error {
	return hosttest.Serve(name)
}

func runAdapter(args []string, _, stderr io.Writer) error {
	if len(args) != 1 || !slices.Contains(builtinAdapters, args[0]) {
		fmt.Fprintf(stderr, "Usage: canistry adapter <name>\n\nServes a built-in adapter as a go-plugin process; the gateway runs it.\nNames: %v\n", builtinAdapters)
		return errUsage
	}
	return serveBuiltinAdapter(args[0])
}
