// Package delegated is IC delegation chains and the requests made with
// them: a user's key delegates (interface spec, "Authentication") to a
// session key — here the gateway's — which then signs requests whose
// sender is the user. It holds the chain in the JSON form of
// @dfinity/identity's DelegationChain.toJSON (and the Canistry-Delegation
// header that carries it), creates and verifies chains, and sends queries
// and updates with sender_delegation on agent-go's Request, RequestID,
// CBOR encoding and HTTP client (agent-go v0.9.2's own Envelope has no
// sender_delegation).
package delegated
