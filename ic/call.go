package ic

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// ingressExpiry is agent-go's default, which the agents of a Pool keep.
const ingressExpiry = 5 * time.Minute

// pollInterval is how often an update's status is read when the IC
// answers 202 instead of the certificate.
const pollInterval = 200 * time.Millisecond

// Call makes an update call and waits for its certified reply. agent-go
// 0.9.2 reads a synchronous call's reply from the certificate without
// verifying it, so the call is sent here and the certificate checked with
// Certs before its reply is read; a certificate that fails is an
// *UnverifiedError. Polled statuses come from agent-go's read_state,
// which verifies them.
func (c *Client) Call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	return c.callAt(ctx, canister, canister, method, arg)
}

// CallWithContext is agent-go's Agent.CallWithContext — Candid in and out,
// a call to the management canister sent by the canister its first
// argument names (see effectiveCanister) — with the reply's certificate
// verified as Call does. The admin commands create, install and upgrade
// canisters through it.
func (c *Client) CallWithContext(ctx context.Context, canister principal.Principal, method string, in, out []any) error {
	arg, err := candid.Marshal(in)
	if err != nil {
		return fmt.Errorf("call %s.%s: %w", canister, method, err)
	}
	reply, err := c.callAt(ctx, canister, effectiveCanister(canister, in), method, arg)
	if err != nil {
		return err
	}
	if err := candid.Unmarshal(reply, out); err != nil {
		return fmt.Errorf("call %s.%s: the reply does not decode: %w", canister, method, err)
	}
	return nil
}

// callAt sends the call by effective, the canister the IC routes it by
// (the canister itself, but for management canister calls), and checks
// the certificate for it.
func (c *Client) callAt(ctx context.Context, canister, effective principal.Principal, method string, arg []byte) ([]byte, error) {
	id, data, err := c.signCall(canister, method, arg)
	if err != nil {
		return nil, fmt.Errorf("call %s.%s: %w", canister, method, err)
	}
	callCtx, cancel := context.WithTimeout(ctx, ingressExpiry)
	defer cancel()
	raw, err := c.agent.Client().Call(callCtx, effective, data)
	if err != nil {
		return nil, wrapCallError("call", canister, method, err)
	}
	if len(raw) != 0 {
		var cert certification.Certificate
		if err := cbor.Unmarshal(raw, &cert); err != nil {
			return nil, fmt.Errorf("call %s.%s: malformed certificate: %w", canister, method, err)
		}
		if err := c.verifyCert(&cert, effective); err != nil {
			return nil, &UnverifiedError{Kind: "call", Err: fmt.Errorf("%s.%s: %w", canister, method, err)}
		}
		if reply, done, err := Outcome(cert.Tree, id); done {
			return reply, err
		}
	}
	return c.poll(ctx, effective, method, id)
}

// effectiveCanister is the canister a call is routed by, as agent-go
// picks it: the callee, unless that is the management canister and the
// first argument is a record with a principal field named canister_id.
func effectiveCanister(canister principal.Principal, in []any) principal.Principal {
	if len(canister.Raw) != 0 || len(in) == 0 {
		return canister
	}
	v := reflect.ValueOf(in[0])
	if v.Kind() != reflect.Struct {
		return canister
	}
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("ic") == "canister_id" {
			if p, ok := v.Field(i).Interface().(principal.Principal); ok {
				return p
			}
		}
	}
	return canister
}

// signCall is the envelope of an update call as agent-go makes it: a
// random nonce, agent-go's ingress expiry, signed by the client's identity.
func (c *Client) signCall(canister principal.Principal, method string, arg []byte) (agent.RequestID, []byte, error) {
	nonce := make([]byte, 10)
	if _, err := rand.Read(nonce); err != nil {
		return agent.RequestID{}, nil, err
	}
	req := agent.Request{
		Type: agent.RequestTypeCall, Sender: c.identity.Sender(), CanisterID: canister,
		MethodName: method, Arguments: arg, Nonce: nonce,
		IngressExpiry: uint64(time.Now().Add(ingressExpiry).UnixNano()),
	}
	id := agent.NewRequestID(req)
	sig, err := id.Sign(c.identity)
	if err != nil {
		return id, nil, err
	}
	data, err := cbor.Marshal(agent.Envelope{Content: req, SenderPubKey: c.identity.PublicKey(), SenderSig: sig})
	return id, data, err
}

// poll reads the request's status until it is replied or rejected, for at
// most the pool's PollTimeout.
func (c *Client) poll(ctx context.Context, canister principal.Principal, method string, id agent.RequestID) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.pollTimeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("call %s.%s: waiting for the reply: %w", canister, method, ctx.Err())
		case <-tick.C:
		}
		// RequestStatus verifies the read_state certificate
		// (certification.VerifyCertificate) before it returns the tree.
		status, root, err := c.agent.RequestStatus(canister, id)
		if err != nil {
			return nil, wrapCallError("call", canister, method, err)
		}
		if status == nil {
			continue
		}
		if reply, done, err := Outcome(hashtree.NewHashTree(root), id); done {
			return reply, err
		}
	}
}

// verifyCert checks cert's signatures for canister (see Certs).
func (c *Client) verifyCert(cert *certification.Certificate, canister principal.Principal) error {
	if c.certsErr != nil {
		return c.certsErr
	}
	return c.certs.Verify(cert, canister)
}

// Manager makes Candid calls as one identity: *Client, whose replies'
// certificates are verified, or agent-go's *agent.Agent (in tests). The
// canisters' Go packages create, install and upgrade canisters through it.
type Manager interface {
	CallWithContext(ctx context.Context, canister principal.Principal, method string, in, out []any) error
	Sender() principal.Principal
}

var (
	_ Manager = (*Client)(nil)
	_ Manager = (*agent.Agent)(nil)
)
