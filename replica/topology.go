package replica

import (
	"crypto/sha256"

	"github.com/canistry/canistry/replica/httpapi"
)

var _ httpapi.TopologySource = (*Replica)(nil)

// Topology describes the replica as PocketIC describes an instance: one
// application subnet of one node holding every canister id, and the first
// id the replica hands out as the default effective canister id (any id
// works for provisional_create_canister_with_cycles here, as on PocketIC).
func (r *Replica) Topology() httpapi.Topology {
	start, end := r.keys.CanisterRange()
	subnet := r.keys.SubnetID()
	return httpapi.Topology{
		SubnetConfigs: map[string]httpapi.SubnetConfig{
			subnet.String(): {
				SubnetKind: "Application",
				// PocketIC's seed is what the subnet's keys grow from; the
				// subnet id stands in for it, so the value is stable.
				SubnetSeed:        sha256.Sum256(subnet.Raw),
				Size:              1,
				NodeIDs:           []httpapi.RawNodeID{{NodeID: r.keys.NodeID().Raw}},
				CanisterRanges:    []httpapi.CanisterIDRange{{Start: httpapi.RawCanisterID{CanisterID: start}, End: httpapi.RawCanisterID{CanisterID: end}}},
				InstructionConfig: "Production",
			},
		},
		DefaultEffectiveCanisterID: httpapi.RawCanisterID{CanisterID: canisterID(firstCanisterIndex).Raw},
	}
}
