package adapter

// Capability is a feature that only some protocol versions have. The
// gateway refuses a request that needs one the canister's version lacks,
// before it reaches the adapter.
type Capability string

// The capabilities of the personal API v1 (names of its Capability enum).
const (
	CapabilityDocuments         Capability = "CAPABILITY_DOCUMENTS"
	CapabilityRevisions         Capability = "CAPABILITY_REVISIONS"
	CapabilityConditionalWrites Capability = "CAPABILITY_CONDITIONAL_WRITES"
	CapabilityMessaging         Capability = "CAPABILITY_MESSAGING"
)

// Service names a stable client service an adapter implements.
type Service string

// The stable services adapters can implement.
const (
	ServicePersonalV1 Service = "canistry.personal.v1.PersonalService"
)

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
