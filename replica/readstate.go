package replica

import (
	"bytes"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/httpapi"
)

// What a read_state request may ask for is the spec's list of path forms
// ("Request: Read state"), no more: a certificate reveals everything below a
// requested path, so a shorter path than the spec allows (["request_status"],
// ["canister", id], ["canister", id, "metadata"]) would reveal other
// senders' replies or a canister's private metadata. Each form names its
// labels; anyLabel matches one label of any value.

const anyLabel = "\x00any"

type pathRule struct {
	form  []string
	check func(r *Replica, req *httpapi.Request, p [][]byte, seen *readSeen) error
}

// readSeen carries what one request's paths must agree on.
type readSeen struct {
	requestID []byte
}

var readStateRules = []pathRule{
	{form: []string{"time"}},
	{form: []string{"api_boundary_nodes"}},
	{form: []string{"api_boundary_nodes", anyLabel}},
	{form: []string{"api_boundary_nodes", anyLabel, "domain"}},
	{form: []string{"api_boundary_nodes", anyLabel, "ipv4_address"}},
	{form: []string{"api_boundary_nodes", anyLabel, "ipv6_address"}},
	{form: []string{"subnet"}},
	{form: []string{"subnet", anyLabel}},
	{form: []string{"subnet", anyLabel, "public_key"}},
	{form: []string{"subnet", anyLabel, "canister_ranges"}},
	{form: []string{"subnet", anyLabel, "node"}},
	{form: []string{"subnet", anyLabel, "node", anyLabel}},
	{form: []string{"subnet", anyLabel, "node", anyLabel, "public_key"}},
	{form: []string{"subnet", anyLabel, "metrics"}, check: mayReadSubnetMetrics},
	// The canister ranges tree of spec 0.29's v3 read_state: public.
	{form: []string{"canister_ranges"}},
	{form: []string{"canister_ranges", anyLabel}},
	{form: []string{"canister_ranges", anyLabel, anyLabel}},
	{form: []string{"request_status", anyLabel}, check: mayReadRequestStatus},
	{form: []string{"request_status", anyLabel, "status"}, check: mayReadRequestStatus},
	{form: []string{"request_status", anyLabel, "reply"}, check: mayReadRequestStatus},
	{form: []string{"request_status", anyLabel, "reject_code"}, check: mayReadRequestStatus},
	{form: []string{"request_status", anyLabel, "reject_message"}, check: mayReadRequestStatus},
	{form: []string{"request_status", anyLabel, "error_code"}, check: mayReadRequestStatus},
	{form: []string{"canister", anyLabel, "module_hash"}, check: mayReadCanister},
	{form: []string{"canister", anyLabel, "controllers"}, check: mayReadCanister},
	{form: []string{"canister", anyLabel, "metadata", anyLabel}, check: mayReadMetadata},
}

// mayReadAll applies the spec's read_state authorization to every path of
// req; the first refusal answers the whole request.
func (r *Replica) mayReadAll(req *httpapi.Request) error {
	var seen readSeen
	for _, p := range req.Paths {
		if err := r.mayRead(req, p, &seen); err != nil {
			return err
		}
	}
	return nil
}

func (r *Replica) mayRead(req *httpapi.Request, p [][]byte, seen *readSeen) error {
	for _, rule := range readStateRules {
		if !rule.matches(p) {
			continue
		}
		if rule.check == nil {
			return nil
		}
		return rule.check(r, req, p, seen)
	}
	return &httpapi.Error{Status: http.StatusNotFound, Message: "Invalid path requested: " + showPath(p) +
		" is none of the paths read_state allows (see the interface spec, \"Request: Read state\")."}
}

func (rule pathRule) matches(p [][]byte) bool {
	if len(p) != len(rule.form) {
		return false
	}
	for i, label := range rule.form {
		if label != anyLabel && label != string(p[i]) {
			return false
		}
	}
	return true
}

func mayReadSubnetMetrics(_ *Replica, req *httpapi.Request, p [][]byte, _ *readSeen) error {
	if req.SubnetID == nil || !bytes.Equal(req.SubnetID.Raw, p[1]) {
		return forbidden("/subnet/<subnet_id>/metrics can only be read at that subnet's read_state endpoint")
	}
	return nil
}

// mayReadRequestStatus lets a sender read only the status of a request it
// signed itself, to a canister of the effective canister id, and only one
// request id per read_state request. An id that is not in the state may be
// read: the certificate proves its absence.
func mayReadRequestStatus(r *Replica, req *httpapi.Request, p [][]byte, seen *readSeen) error {
	if req.SubnetID != nil {
		return forbidden("request_status cannot be read at a subnet endpoint")
	}
	id := p[1]
	if len(id) != 32 {
		return &httpapi.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("Request IDs must be 32 bytes in length, not %d.", len(id))}
	}
	if seen.requestID != nil && !bytes.Equal(seen.requestID, id) {
		return &httpapi.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
			"More than one non-unique request ID exists in request_status paths: %x and %x.", seen.requestID, id)}
	}
	seen.requestID = id
	var key [32]byte
	copy(key[:], id)
	r.mu.Lock()
	e := r.ingress[key]
	r.mu.Unlock()
	switch {
	case e == nil:
		return nil
	case !bytes.Equal(e.sender, req.Sender.Raw):
		return forbidden("Request IDs must be for requests signed by the caller.")
	case !bytes.Equal(e.effective, req.EffectiveCanisterID.Raw):
		return forbidden("Request IDs must be for requests to canisters belonging to the effective canister id.")
	}
	return nil
}

// mayReadCanister admits /canister/<id>/... only for the effective
// canister id and within the sender's delegation targets.
func mayReadCanister(_ *Replica, req *httpapi.Request, p [][]byte, _ *readSeen) error {
	if req.SubnetID != nil {
		return forbidden("canister paths cannot be read at a subnet endpoint")
	}
	if !bytes.Equal(p[1], req.EffectiveCanisterID.Raw) {
		return &httpapi.Error{Status: http.StatusBadRequest, Message: "Effective principal id in URL " + req.EffectiveCanisterID.String() +
			" does not match requested canister id: " + principal.Principal{Raw: p[1]}.String()}
	}
	if !inTargets(req.Targets, p[1]) {
		return forbidden("The sender's delegation does not allow canister " + principal.Principal{Raw: p[1]}.String())
	}
	return nil
}

// mayReadMetadata admits one named custom section: a public one to
// anybody, a private one to the canister's controllers only.
func mayReadMetadata(r *Replica, req *httpapi.Request, p [][]byte, seen *readSeen) error {
	if err := mayReadCanister(r, req, p, seen); err != nil {
		return err
	}
	name := p[3]
	if !utf8.Valid(name) {
		return &httpapi.Error{Status: http.StatusBadRequest, Message: "Could not parse the custom section name: it is not UTF-8."}
	}
	c := r.lookup(principal.Principal{Raw: p[1]})
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.rec.Metadata {
		if m.Name == string(name) && !m.Public && !c.IsController(req.Sender) {
			return forbidden("Custom section " + m.Name + " can only be requested by the controllers of the canister.")
		}
	}
	return nil
}

// showPath renders a path for an error message, each label cut short: a
// refusal must not echo kilobytes of a hostile request.
func showPath(p [][]byte) string {
	var b bytes.Buffer
	for i, label := range p {
		if i == 8 {
			b.WriteString("/…")
			break
		}
		b.WriteByte('/')
		if len(label) > 32 {
			fmt.Fprintf(&b, "%q…", label[:32])
			continue
		}
		if utf8.Valid(label) {
			fmt.Fprintf(&b, "%s", label)
		} else {
			fmt.Fprintf(&b, "%x", label)
		}
	}
	if b.Len() == 0 {
		return "the empty path"
	}
	return b.String()
}
