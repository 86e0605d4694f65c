// Command testadapter runs a hosttest adapter: `testadapter <name>`, or,
// without arguments (as the host starts binaries of a plugin directory),
// the adapter named like the binary's file.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/canistry/canistry/gateway/host/hosttest"
)

func main() {
	name := filepath.Base(os.Args[0])
	switch len(os.Args) {
	case 1:
	case 2:
		name = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: testadapter [name]")
		os.Exit(2)
	}
	if err := hosttest.Serve(name); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
