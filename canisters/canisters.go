// Package canisters embeds the Motoko canisters that canisters/build.mjs
// compiles, so the replica and its tests get real canister modules without
// node or moc at run time.
//
// Paths are relative to the canisters/ directory and use forward slashes,
// e.g. "test/counter/canister.wasm" or "personal/1.0.0/canister.wasm".
package canisters

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// The patterns match <group>/<name>/canister.{wasm,did} for every group
// (test/, personal/, ...) that exists, so this still compiles while a group
// has not been built yet; it fails only if no canister is built at all.
//
//go:embed */*/canister.wasm */*/canister.did
var built embed.FS

// ErrUnknownCanister reports a path that names no embedded build output.
var ErrUnknownCanister = errors.New("canisters: no such embedded file")

// Wasm returns the embedded build output at path, such as
// "test/counter/canister.wasm". The slice is a fresh copy the caller may keep
// or modify.
func Wasm(filePath string) ([]byte, error) {
	if !fs.ValidPath(filePath) {
		return nil, fmt.Errorf("%w: %q is not a clean relative path", ErrUnknownCanister, filePath)
	}
	data, err := built.ReadFile(filePath)
	if err != nil {
		return nil, fmt.Errorf("%w: %q (have %v): %w", ErrUnknownCanister, filePath, WasmPaths(), err)
	}
	return data, nil
}

// MustWasm is Wasm for tests and fixed paths: it panics if path is unknown,
// which is a programming error there.
func MustWasm(filePath string) []byte {
	data, err := Wasm(filePath)
	if err != nil {
		panic(err)
	}
	return data
}

// WasmPaths lists the paths of every embedded canister.wasm, sorted.
func WasmPaths() []string {
	paths, err := fs.Glob(built, "*/*/canister.wasm")
	if err != nil {
		// The pattern is a constant and valid, so Glob cannot fail.
		return nil
	}
	sort.Strings(paths)
	return paths
}

// Candid returns the Candid service description built beside the wasm at
// wasmPath ("test/counter/canister.wasm" -> "test/counter/canister.did").
func Candid(wasmPath string) (string, error) {
	didPath := path.Join(path.Dir(wasmPath), "canister.did")
	data, err := Wasm(didPath)
	if err != nil {
		return "", err
	}
	return string(data), nil
}
