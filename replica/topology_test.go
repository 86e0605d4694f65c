package replica_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/mgmt"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestTopologyInPocketICShape: GET /_/topology answers PocketIC's JSON — one
// application subnet with its node and canister range — and its default
// effective canister id routes provisional_create_canister_with_cycles.
func TestTopologyInPocketICShape(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	resp, err := http.Get(r.URL.String() + "/_/topology")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /_/topology: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	// Decoded generically, as a client that knows only PocketIC's shape.
	var topo struct {
		SubnetConfigs map[string]struct {
			SubnetKind string `json:"subnet_kind"`
			SubnetSeed []int  `json:"subnet_seed"`
			NodeIDs    []struct {
				NodeID []byte `json:"node_id"`
			} `json:"node_ids"`
			CanisterRanges []struct {
				Start struct {
					CanisterID []byte `json:"canister_id"`
				} `json:"start"`
				End struct {
					CanisterID []byte `json:"canister_id"`
				} `json:"end"`
			} `json:"canister_ranges"`
			InstructionConfig string `json:"instruction_config"`
		} `json:"subnet_configs"`
		Default struct {
			CanisterID []byte `json:"canister_id"`
		} `json:"default_effective_canister_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&topo); err != nil {
		t.Fatalf("decode topology: %v", err)
	}
	if len(topo.SubnetConfigs) != 1 {
		t.Fatalf("%d subnets, want 1", len(topo.SubnetConfigs))
	}
	for id, sub := range topo.SubnetConfigs {
		if _, err := principal.Decode(id); err != nil {
			t.Fatalf("subnet key %q is not a principal: %v", id, err)
		}
		if sub.SubnetKind != "Application" || len(sub.SubnetSeed) != 32 || len(sub.NodeIDs) != 1 ||
			len(sub.NodeIDs[0].NodeID) == 0 || len(sub.CanisterRanges) != 1 || sub.InstructionConfig != "Production" {
			t.Fatalf("subnet %s: %+v", id, sub)
		}
	}
	effective := principal.Principal{Raw: topo.Default.CanisterID}
	if len(effective.Raw) != 10 {
		t.Fatalf("default_effective_canister_id %x is not a canister id", effective.Raw)
	}
	a := r.Agent(t, nil)
	var out mgmt.CanisterIDResult
	err = a.CallWithEffectiveCanisterID(replicatest.Management, effective, "provisional_create_canister_with_cycles",
		[]any{mgmt.ProvisionalCreateArgs{}}, []any{&out})
	if err != nil || len(out.CanisterID.Raw) == 0 {
		t.Fatalf("create through the default effective canister id %s: %v", effective, err)
	}
}
