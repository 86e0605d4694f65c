package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// topologyBackend is a stub Backend that also describes a topology.
type topologyBackend struct {
	*stubBackend
	topo Topology
}

func (b topologyBackend) Topology() Topology { return b.topo }

// GET /_/topology is PocketIC's JSON for a backend with a topology: byte
// strings base64, the seed an array of 32 numbers; other methods are 405
// and a backend without one has no such endpoint.
func TestTopologyEndpoint(t *testing.T) {
	topo := Topology{
		SubnetConfigs: map[string]SubnetConfig{"subnet": {
			SubnetKind: "Application", Size: 1, NodeIDs: []RawNodeID{{NodeID: []byte{1, 2}}},
			CanisterRanges:    []CanisterIDRange{{Start: RawCanisterID{CanisterID: []byte{}}, End: RawCanisterID{CanisterID: []byte{0xff}}}},
			InstructionConfig: "Production",
		}},
		DefaultEffectiveCanisterID: RawCanisterID{CanisterID: []byte{0, 0, 0, 0, 0, 16, 0, 0, 1, 1}},
	}
	h := NewHandler(topologyBackend{newStubBackend(), topo}, Config{}, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_/topology", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	def := raw["default_effective_canister_id"].(map[string]any)["canister_id"]
	sub := raw["subnet_configs"].(map[string]any)["subnet"].(map[string]any)
	if def != "AAAAAAAQAAABAQ==" || len(sub["subnet_seed"].([]any)) != 32 ||
		sub["node_ids"].([]any)[0].(map[string]any)["node_id"] != "AQI=" {
		t.Fatalf("topology JSON %s", rec.Body)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_/topology", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d, want 405", rec.Code)
	}
	rec = httptest.NewRecorder()
	NewHandler(newStubBackend(), Config{}, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_/topology", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("a backend without a topology: %d, want 404", rec.Code)
	}
}
