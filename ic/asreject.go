package ic

// AsReject recovers the IC's reject from an error of agent-go's client or
// agent, for packages that talk to the IC beside Client (ic/delegated).
func AsReject(err error) (*Reject, bool) { return asReject(err) }

// AsHTTPError recovers the IC's HTTP refusal of a request from an error of
// agent-go's client, for packages beside Client (ic/delegated).
func AsHTTPError(err error) (*HTTPError, bool) { return asHTTPError(err) }
