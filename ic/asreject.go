package ic

// AsReject recovers the IC's reject from an error of agent-go's client or
// agent, for packages that talk to the IC beside Client (ic/delegated).
func AsReject(err error) (*Reject, bool) { return asReject(err) }
