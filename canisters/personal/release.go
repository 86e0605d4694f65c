// Package personal knows the releases of the reference personal canister
// (canisters/personal/<version>, embedded by package canisters): their
// versions and protocol strings, their wasm, their install argument, and
// how to install and upgrade them through the management canister.
//
// Its Candid bindings are generated (internal/candid); the install
// argument is written here because agent-go's generator emits no service
// initialisation arguments.
package personal

import (
	"fmt"
	"path"
	"slices"
	"strings"

	version "github.com/hashicorp/go-version"

	"github.com/canistry/canistry/canisters"
)

// Versions are the released protocol versions, oldest first: every
// canisters/personal/<version> that is built and embedded.
func Versions() []string {
	var out []string
	for _, p := range canisters.WasmPaths() {
		if dir, ok := strings.CutPrefix(path.Dir(p), "personal/"); ok {
			out = append(out, dir)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return version.Must(version.NewVersion(a)).Compare(version.Must(version.NewVersion(b)))
	})
	return out
}

// Protocol is the protocol string of a version, as its protocol() method
// and its canistry:protocol metadata answer: "personal/2.0.0".
func Protocol(v string) string { return "personal/" + v }

// Wasm is the built module of a released version.
func Wasm(v string) ([]byte, error) {
	wasm, err := canisters.Wasm("personal/" + v + "/canister.wasm")
	if err != nil {
		return nil, fmt.Errorf("no personal canister %s (have %v): %w", v, Versions(), canisters.ErrUnknownCanister)
	}
	return wasm, nil
}

// MustWasm is Wasm for tests and fixed versions: an unknown version is a
// programming error there.
func MustWasm(v string) []byte {
	wasm, err := Wasm(v)
	if err != nil {
		panic(err)
	}
	return wasm
}
