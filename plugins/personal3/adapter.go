// Package personal3 is the built-in adapter for personal canisters of
// protocol 3.x: the documents of 2.x, unchanged, plus messaging between
// personal canisters and sharing documents with peer canisters.
package personal3

import (
	"github.com/canistry/canistry/plugins/personal2"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// Adapter serves personal 3.x through the personal API v1. Its document
// methods are personal2's: the 3.0.0 interface keeps every 2.0.0 method
// and type identical (canisters/personal/check.mjs verifies it).
type Adapter struct {
	personal2.Adapter
}

// New returns the personal 3.x adapter.
func New() adapter.Adapter { return Adapter{} }

// Manifest implements adapter.Adapter.
func (Adapter) Manifest() adapter.Manifest {
	return adapter.Manifest{
		Name:       "personal3",
		Version:    "3.0.0",
		Protocol:   "personal",
		Constraint: ">= 3.0, < 4.0",
		Services:   []adapter.Service{personalv1.Service},
		Capabilities: []adapter.Capability{
			personalv1.CapabilityDocuments, personalv1.CapabilityRevisions,
			personalv1.CapabilityConditionalWrites, personalv1.CapabilityMessaging,
			personalv1.CapabilitySharing,
		},
	}
}
