package canisters_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/canisters/registry"
)

// TestPersonalCandidIsTheProtocol holds protocol/canister/personal/<v>.did,
// the public contract of each version, to what the compiler emits for it
// (canister.did, which `build.mjs --check` holds to the sources), and the
// released versions to the contracts: one .did per embedded release.
func TestPersonalCandidIsTheProtocol(t *testing.T) {
	dids, err := filepath.Glob(filepath.Join("..", "protocol", "canister", "personal", "*.did"))
	if err != nil {
		t.Fatal(err)
	}
	var contracts []string
	for _, p := range dids {
		contracts = append(contracts, strings.TrimSuffix(filepath.Base(p), ".did"))
	}
	versions := personal.Versions()
	slices.Sort(contracts)
	if sorted := slices.Sorted(slices.Values(versions)); !slices.Equal(sorted, contracts) || len(versions) == 0 {
		t.Fatalf("released personal versions %v, contracts in protocol/canister/personal %v: want one each", versions, contracts)
	}
	for _, v := range versions {
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

func TestPersonalUnknownVersion(t *testing.T) {
	_, err := personal.Wasm("0.9.0")
	if !errors.Is(err, canisters.ErrUnknownCanister) || !strings.Contains(err.Error(), "1.0.0") {
		t.Errorf("Wasm(0.9.0) = %v; want ErrUnknownCanister naming the released versions", err)
	}
}

// TestRegistryCandidIsTheProtocol holds protocol/canister/registry/<v>.did,
// the registry's contract with its Go callers, to what moc emits for
// canisters/registry (which `build.mjs --check` holds to the sources): one
// contract, of the version the registry package says it serves.
func TestRegistryCandidIsTheProtocol(t *testing.T) {
	dids, err := filepath.Glob(filepath.Join("..", "protocol", "canister", "registry", "*.did"))
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimPrefix(registry.Protocol, "registry/")
	if len(dids) != 1 || filepath.Base(dids[0]) != version+".did" {
		t.Fatalf("contracts in protocol/canister/registry: %v; want only %s.did", dids, version)
	}
	contract, err := os.ReadFile(dids[0])
	if err != nil {
		t.Fatal(err)
	}
	emitted, err := os.ReadFile(filepath.Join("registry", "canister.did"))
	if err != nil {
		t.Fatal(err)
	}
	if string(contract) != string(emitted) {
		t.Errorf("protocol/canister/registry/%s.did differs from what moc emits for canisters/registry: copy canister.did over it (and regenerate with scripts/gen-candid.sh)", version)
	}
}
