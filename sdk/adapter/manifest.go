package adapter

// Capability is a feature that only some protocol versions have. The
// gateway refuses a request that needs one the canister's version lacks,
// before it reaches the adapter.
type Capability string

// Service names a stable client service an adapter implements, e.g.
// personalv1.Service ("canistry.personal.v1.PersonalService").
type Service string

// Manifest describes an adapter to the gateway.
type Manifest struct {
	// Name is unique among the gateway's adapters, e.g. "personal2".
	Name string
	// Version is the adapter's own semantic version.
	Version string
	// Protocol is the canister protocol it serves, e.g. "personal".
	Protocol string
	// Constraint is the protocol versions it serves, as a go-version
	// constraint such as ">= 2.0, < 3.0".
	Constraint string
	// Services are the stable services it implements.
	Services []Service
	// Capabilities are what the versions it serves support.
	Capabilities []Capability
}
