// Package icsig verifies signatures by the public keys the Internet
// Computer accepts for requests and delegations (interface spec,
// "Signatures"): Ed25519, ECDSA P-256, ECDSA secp256k1 and canister
// signatures (the kind Internet Identity issues). It is a leaf both the
// gateway (which verifies users' delegation chains) and anything else that
// checks IC signatures can import.
package icsig
