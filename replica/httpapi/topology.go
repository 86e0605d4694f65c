package httpapi

import (
	"encoding/json"
	"net/http"
)

// topologyPath is where dfx (PocketIC underneath) serves the local network's
// topology; clients read it to find the subnets and where to create canisters.
const topologyPath = "/_/topology"

// Topology is PocketIC's topology document (pocket-ic common::rest::Topology):
// the subnets by id (textual) and the canister id to use as the effective
// canister id of provisional_create_canister_with_cycles.
type Topology struct {
	SubnetConfigs              map[string]SubnetConfig `json:"subnet_configs"`
	DefaultEffectiveCanisterID RawCanisterID           `json:"default_effective_canister_id"`
}

// SubnetConfig is one subnet of a Topology. Byte strings are base64 (as
// PocketIC's serde does), the seed an array of numbers.
type SubnetConfig struct {
	SubnetKind        string            `json:"subnet_kind"` // "Application", "System", "NNS", ...
	SubnetSeed        [32]byte          `json:"subnet_seed"`
	Size              uint64            `json:"size"`
	NodeIDs           []RawNodeID       `json:"node_ids"`
	CanisterRanges    []CanisterIDRange `json:"canister_ranges"`
	InstructionConfig string            `json:"instruction_config"` // "Production" or "Benchmarking"
}

// RawCanisterID is a canister id's bytes, base64 in JSON.
type RawCanisterID struct {
	CanisterID []byte `json:"canister_id"`
}

// RawNodeID is a node id's bytes, base64 in JSON.
type RawNodeID struct {
	NodeID []byte `json:"node_id"`
}

// CanisterIDRange is an inclusive range of canister ids.
type CanisterIDRange struct {
	Start RawCanisterID `json:"start"`
	End   RawCanisterID `json:"end"`
}

// TopologySource is a Backend that can describe its topology; the handler
// serves GET /_/topology for it (and 404 otherwise).
type TopologySource interface {
	Topology() Topology
}

func (h *handler) serveTopology(w http.ResponseWriter, r *http.Request) {
	src, ok := h.backend.(TopologySource)
	if !ok {
		h.writeError(w, r, errorf(http.StatusNotFound, "No endpoint at %s", r.URL.Path))
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet+", OPTIONS")
		h.writeError(w, r, errorf(http.StatusMethodNotAllowed, "%s requires %s", r.URL.Path, http.MethodGet))
		return
	}
	body, err := json.Marshal(src.Topology())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
