package adapter

import (
	"io"

	"github.com/hashicorp/go-hclog"
)

// go-plugin's test connections log at Debug to hclog's default output.
// go test prints what a test binary writes, and those lines between a
// benchmark's name and its numbers break benchstat, so they are discarded.
func init() { hclog.DefaultOutput = io.Discard }
