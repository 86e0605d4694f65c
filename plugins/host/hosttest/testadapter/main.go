// Command testadapter runs a hosttest adapter: testadapter <name>.
package main

import (
	"fmt"
	"os"

	"github.com/canistry/canistry/plugins/host/hosttest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testadapter <name>")
		os.Exit(2)
	}
	if err := hosttest.Serve(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
