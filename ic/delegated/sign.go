package delegated

import (
	"errors"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// delegationDomain separates delegation signatures from every other
// signature a key makes (spec: "\x1Aic-request-auth-delegation").
const delegationDomain = "\x1Aic-request-auth-delegation"

// The IC's limits on a delegation chain (spec "Authentication").
const (
	MaxDelegations = 20
	MaxTargets     = 1000
)

// Hash is the representation-independent hash of the delegation map, the
// message its signer signs (behind the domain separator).
func (d *Delegation) Hash() ([32]byte, error) {
	fields := []certification.KeyValuePair{
		{Key: "pubkey", Value: d.PubKey},
		{Key: "expiration", Value: d.Expiration},
	}
	if d.Targets != nil {
		targets := make([]any, len(d.Targets))
		for i, t := range d.Targets {
			targets[i] = t.Raw
		}
		fields = append(fields, certification.KeyValuePair{Key: "targets", Value: targets})
	}
	return certification.RepresentationIndependentHash(fields)
}

// signedMessage is what the delegation's signer signs.
func (d *Delegation) signedMessage() ([]byte, error) {
	h, err := d.Hash()
	if err != nil {
		return nil, err
	}
	return append([]byte(delegationDomain), h[:]...), nil
}

// Delegate makes from's key delegate to the DER key to until expiration,
// only towards targets when it is not nil — what
// DelegationChain.create(from, to, expiration, {targets, previous}) does.
// With previous, from must be previous's session key and the new link
// extends that chain.
func Delegate(from identity.Identity, to []byte, expiration time.Time, targets []principal.Principal, previous *Chain) (*Chain, error) {
	if len(to) == 0 {
		return nil, errors.New("delegate: no key to delegate to")
	}
	d := Delegation{PubKey: to, Expiration: uint64(expiration.UnixNano()), Targets: targets}
	msg, err := d.signedMessage()
	if err != nil {
		return nil, err
	}
	sig, err := from.Sign(msg)
	if err != nil {
		return nil, err
	}
	c := &Chain{PublicKey: from.PublicKey()}
	if previous != nil {
		c.PublicKey = previous.PublicKey
		c.Delegations = append(c.Delegations, previous.Delegations...)
	}
	c.Delegations = append(c.Delegations, SignedDelegation{Delegation: d, Signature: sig})
	return c, nil
}
