package httpapi

import (
	"bytes"
	"net/http"

	"github.com/aviate-labs/agent-go/principal"
)

// parseRequest runs every check of an ingress request in the IC's order:
// URL id, content type and size, envelope decoding, effective canister id,
// authentication, delegation targets and ingress expiry.
func (h *handler) parseRequest(w http.ResponseWriter, r *http.Request, rt route, requestType string) (*Request, error) {
	req := &Request{Type: requestType}
	if err := setURLIDs(req, rt); err != nil {
		return nil, err
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return nil, err
	}
	d, err := decodeEnvelope(body, requestType)
	if err != nil {
		return nil, err
	}
	if requestType == "call" && len(body) > h.cfg.MaxIngressBytes {
		return nil, errorf(http.StatusRequestEntityTooLarge,
			"Request 0x%x is too large. Message byte size %d is larger than the max allowed %d.", d.id, len(body), h.cfg.MaxIngressBytes)
	}
	fillFromContent(req, d)
	if err := checkEffectiveCanister(req); err != nil {
		return nil, err
	}
	if err := h.authorize(req, d); err != nil {
		return nil, err
	}
	return req, nil
}

// authorize authenticates the sender, applies the delegation targets and
// checks the ingress expiry, all against the backend's current time.
func (h *handler) authorize(req *Request, d *decoded) error {
	now := h.backend.Now()
	targets, err := authenticate(d, now, h.backend.RootKey(), h.chains)
	if err != nil {
		return err
	}
	req.Targets = targets
	if req.Type != "read_state" && !allowsTarget(targets, req.CanisterID, req.EffectiveCanisterID) {
		return badAuth("canister %s is not one of the delegation targets", req.CanisterID)
	}
	// The IC accepts any expiry on anonymous query and read_state requests:
	// nothing is replayed by repeating them.
	if req.Type == "call" || !req.Sender.IsAnonymous() {
		return checkExpiry(req.IngressExpiry, now)
	}
	return nil
}

func setURLIDs(req *Request, rt route) error {
	if rt.subnet {
		sid, err := parseID("subnet", rt.id)
		if err != nil {
			return err
		}
		req.SubnetID = &sid
		return nil
	}
	ecid, err := parseID("effective canister", rt.id)
	if err != nil {
		return err
	}
	req.EffectiveCanisterID = ecid
	return nil
}

func fillFromContent(req *Request, d *decoded) {
	c := &d.content
	req.ID = d.id
	req.Sender = principal.Principal{Raw: c.Sender}
	if req.Type != "read_state" {
		req.CanisterID = principal.Principal{Raw: nonNil(c.CanisterID)}
		req.Arg = nonNil(c.Arg)
	}
	req.Method = c.MethodName
	req.Nonce = c.Nonce
	req.IngressExpiry = c.IngressExpiry
	req.Paths = c.Paths
}

// nonNil keeps "empty" distinct from "absent" for ids and args: the
// management canister's id is the empty blob.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// checkEffectiveCanister requires a call or query to target the canister
// in the URL. Calls to the management canister carry their effective
// canister id in the argument; the backend checks those.
func checkEffectiveCanister(req *Request) error {
	if req.Type == "read_state" || len(req.CanisterID.Raw) == 0 {
		return nil
	}
	if !bytes.Equal(req.CanisterID.Raw, req.EffectiveCanisterID.Raw) {
		return errorf(http.StatusBadRequest, "Specified CanisterId %s does not match effective canister id in URL %s",
			req.CanisterID, req.EffectiveCanisterID)
	}
	return nil
}
