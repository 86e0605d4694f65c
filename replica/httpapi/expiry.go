package httpapi

import (
	"net/http"
	"time"
)

// maxIngressTTL and permittedDrift are the IC's MAX_INGRESS_TTL and
// PERMITTED_DRIFT_AT_VALIDATOR: a request is valid until at most
// now + 5 min, plus 30 s for the sender's clock running ahead.
const (
	maxIngressTTL  = 5 * time.Minute
	permittedDrift = 30 * time.Second
)

// checkExpiry enforces now ≤ ingress_expiry ≤ now + 5m30s. The message
// prefix "Invalid request expiry: " is what agent-js looks for to resync
// its clock and retry.
func checkExpiry(expiry uint64, now time.Time) error {
	minNS := uint64(now.UnixNano())
	maxNS := uint64(now.Add(maxIngressTTL + permittedDrift).UnixNano())
	if expiry >= minNS && expiry <= maxNS {
		return nil
	}
	return errorf(http.StatusBadRequest,
		"Invalid request expiry: Specified ingress_expiry not within expected range: Minimum allowed expiry: %s, Maximum allowed expiry: %s, Provided expiry: %s",
		formatNS(minNS), formatNS(maxNS), formatNS(expiry))
}
