package delegated

import (
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/icsig"
)

// Verified is what a valid chain proves.
type Verified struct {
	Chain *Chain
	// Sender is the user the chain acts for.
	Sender principal.Principal
	// Expiry is when the first link expires.
	Expiry time.Time
	// targets is the intersection of every link's targets; nil: all.
	targets map[string]bool
}

// Allows reports whether every link of the chain allows canister.
func (v *Verified) Allows(canister principal.Principal) bool {
	return v.targets == nil || v.targets[string(canister.Raw)]
}

// Verify checks the chain as the IC does: at most MaxDelegations links of
// at most MaxTargets targets each, every signature by the key before it,
// no key twice, and no link expired at now (less skew, the clock
// difference tolerated). rootKey (DER) anchors canister signatures
// (Internet Identity keys). It does not check who the chain ends at.
func (c *Chain) Verify(now time.Time, skew time.Duration, rootKey []byte) (*Verified, error) {
	if len(c.Delegations) == 0 {
		return nil, fmt.Errorf("the chain has no delegations")
	}
	if len(c.Delegations) > MaxDelegations {
		return nil, fmt.Errorf("the chain has %d delegations; the IC allows at most %d", len(c.Delegations), MaxDelegations)
	}
	v := &Verified{Chain: c, Sender: c.Sender(), Expiry: c.Expiry()}
	signer := c.PublicKey
	seen := map[string]bool{string(signer): true}
	for i, sd := range c.Delegations {
		if err := sd.check(signer, now.Add(-skew), rootKey); err != nil {
			return nil, fmt.Errorf("delegation %d: %w", i, err)
		}
		if seen[string(sd.Delegation.PubKey)] {
			return nil, fmt.Errorf("delegation %d: its key already appears in the chain (the IC refuses cycles)", i)
		}
		seen[string(sd.Delegation.PubKey)] = true
		v.targets = intersect(v.targets, sd.Delegation.Targets)
		signer = sd.Delegation.PubKey
	}
	return v, nil
}

// check verifies one link signed by signer (DER).
func (sd *SignedDelegation) check(signer []byte, now time.Time, rootKey []byte) error {
	d := &sd.Delegation
	if exp := time.Unix(0, int64(d.Expiration)); exp.Before(now) {
		return fmt.Errorf("expired at %s; make a new delegation", exp.UTC().Format(time.RFC3339))
	}
	if len(d.Targets) > MaxTargets {
		return fmt.Errorf("has %d targets; the IC allows at most %d", len(d.Targets), MaxTargets)
	}
	key, err := icsig.ParsePublicKey(signer, rootKey)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	msg, err := d.signedMessage()
	if err != nil {
		return err
	}
	if err := key.Verify(msg, sd.Signature); err != nil {
		return fmt.Errorf("signature is not by the key before it in the chain: %w", err)
	}
	return nil
}

func intersect(set map[string]bool, targets []principal.Principal) map[string]bool {
	if targets == nil {
		return set
	}
	next := map[string]bool{}
	for _, t := range targets {
		if set == nil || set[string(t.Raw)] {
			next[string(t.Raw)] = true
		}
	}
	return next
}
