// Package gotest holds the Go tests and benchmarks of the registry canister
// against the in-process replica: the registry installed from its embedded
// wasm, driven through the registry package's client as several identities
// (operator, developer, auditor, users), and the personal canisters it makes
// checked directly with agent-go. It has no library code.
package gotest
