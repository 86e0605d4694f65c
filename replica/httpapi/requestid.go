package httpapi

import (
	"github.com/aviate-labs/agent-go/certification"
)

// hashOfMap is the representation-independent hash of a decoded CBOR map
// (spec "Request ids"): it covers every field present, including ones this
// package does not interpret, so the id matches what the sender signed.
// Byte strings, text, naturals, arrays and nested maps are supported;
// anything else (floats, tags, booleans) is an error.
func hashOfMap(m map[string]any) ([32]byte, error) {
	return certification.HashAny(m)
}

// requestIDDomain is the domain separator of request signatures.
const requestIDDomain = "\x0Aic-request"

// delegationDomain is the domain separator of delegation signatures.
const delegationDomain = "\x1Aic-request-auth-delegation"

// responseDomain is the domain separator of query response signatures.
const responseDomain = "\x0Bic-response"

func withDomain(domain string, hash [32]byte) []byte {
	msg := make([]byte, 0, len(domain)+len(hash))
	msg = append(msg, domain...)
	return append(msg, hash[:]...)
}
