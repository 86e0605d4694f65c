// Package state persists the replica's state in an embedded bbolt database
// inside the state directory: canister records, wasm modules, main (heap)
// and stable memory as 4 KiB pages, canister snapshots (records and their
// memories' pages), the ingress history and the keys.
//
// Why bbolt: one file, ACID transactions with a single fsync per commit, a
// copy-on-write B+tree that is never left half-written by kill -9, and an
// exclusive file lock that keeps a second replica off the same directory.
// The scheduler commits every round in ONE transaction before it answers any
// message of that round, so whatever was answered as replied survives a crash.
package state
