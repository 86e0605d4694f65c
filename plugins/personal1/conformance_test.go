package personal1_test

import (
	"testing"

	"github.com/canistry/canistry/plugins/personal1"
	"github.com/canistry/canistry/sdk/adapter/adaptertest"
)

// TestConformance runs the SDK's conformance kit on the adapter against a
// replica with the personal 1.0.0 canister of this repository.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, personal1.New(), adaptertest.Config{})
}
