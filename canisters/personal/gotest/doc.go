// Package gotest holds the Go tests of the personal canister (all three
// protocol versions) against the in-process replica, driven by unmodified
// agent-go v0.9.2 with Candid decoded into the generated bindings of
// internal/candid. It has no library code: everything lives in its
// _test.go files.
package gotest
