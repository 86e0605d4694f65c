package personal3_test

import (
	"testing"

	"github.com/canistry/canistry/plugins/personal3"
	"github.com/canistry/canistry/sdk/adapter/adaptertest"
)

// TestConformance runs the SDK's conformance kit on the adapter against a
// replica with the personal 3.0.0 canister of this repository.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, personal3.New(), adaptertest.Config{})
}
