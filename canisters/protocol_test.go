package canisters_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/canistry/canistry/canisters"
)

// TestPersonalCandidIsTheProtocol holds protocol/canister/personal/<v>.did,
// the public contract of each version, to what the compiler emits for it
// (canister.did, which `build.mjs --check` holds to the sources).
func TestPersonalCandidIsTheProtocol(t *testing.T) {
	for _, v := range []string{"1.0.0", "2.0.0", "3.0.0"} {
		emitted, err := canisters.Candid("personal/" + v + "/canister.wasm")
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		contract, err := os.ReadFile(filepath.Join("..", "protocol", "canister", "personal", v+".did"))
		if err != nil {
			t.Fatal(err)
		}
		if string(contract) != emitted {
			t.Errorf("protocol/canister/personal/%s.did differs from what moc emits for canisters/personal/%s: copy canister.did over it", v, v)
		}
	}
}
