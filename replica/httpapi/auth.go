package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/icsig"
)

// authenticate checks the envelope's authentication fields against the
// request id (spec "Authentication"): the sender matches its public key,
// the delegation chain is valid at now, and the signature verifies with the
// last key of the chain. rootKey (DER) anchors canister signatures; chains
// remembers verified chains (nil: verify everything). It returns the
// intersection of the delegations' targets (nil = unrestricted). Every
// failure is a 400.
func authenticate(d *decoded, now time.Time, rootKey []byte, chains *chainCache) ([]principal.Principal, error) {
	env := &d.env
	sender := principal.Principal{Raw: d.content.Sender}
	hasAuth := env.SenderPubKey != nil || env.SenderSig != nil || env.SenderDelegation != nil
	if sender.IsAnonymous() {
		if hasAuth {
			return nil, badAuth("the anonymous sender must not carry sender_pubkey, sender_sig or sender_delegation")
		}
		return nil, nil
	}
	if env.SenderPubKey == nil || env.SenderSig == nil {
		return nil, badAuth("sender %s is not anonymous, but the request is missing sender_pubkey or sender_sig", sender)
	}
	if expected := principal.NewSelfAuthenticating(env.SenderPubKey); !bytes.Equal(expected.Raw, sender.Raw) {
		return nil, badAuth("the sender %s does not match the public key, which belongs to %s", sender, expected)
	}
	key, targets, err := chains.verify(env.SenderPubKey, env.SenderDelegation, now, rootKey)
	if err != nil {
		return nil, badAuth("%v", err)
	}
	// Never cached: the signature is over this request's id.
	if err := key.Verify(withDomain(requestIDDomain, d.id), env.SenderSig); err != nil {
		return nil, badAuth("invalid signature of request 0x%x: %v", d.id, err)
	}
	return targets, nil
}

// parseSigner parses the key that must sign the request.
func parseSigner(der, rootKey []byte) (icsig.Verifier, error) {
	key, err := icsig.ParsePublicKey(der, rootKey)
	if err != nil {
		return nil, fmt.Errorf("invalid sender key: %w", err)
	}
	return key, nil
}

// badAuth is the 400 the IC answers for authentication failures.
func badAuth(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "Invalid signature: "+format, args...)
}

// verifyDelegations walks the chain from the sender's key and returns the
// key that must sign the request, the intersection of all targets and the
// earliest expiration (ns; the maximum without delegations).
func verifyDelegations(senderKey []byte, chain []signedDelegation, now time.Time, rootKey []byte) ([]byte, targetSet, uint64, error) {
	if len(chain) > maxDelegations {
		return nil, nil, 0, fmt.Errorf("delegation chain has %d delegations, at most %d are allowed", len(chain), maxDelegations)
	}
	signer := senderKey
	seen := map[string]bool{string(senderKey): true}
	var targets targetSet
	expiry := uint64(math.MaxUint64)
	for i, sd := range chain {
		del, hash, err := decodeDelegation(sd.Delegation)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("delegation %d: %w", i, err)
		}
		if err := checkDelegation(del, now); err != nil {
			return nil, nil, 0, fmt.Errorf("delegation %d: %w", i, err)
		}
		key, err := icsig.ParsePublicKey(signer, rootKey)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("delegation %d: invalid signing key: %w", i, err)
		}
		if err := key.Verify(withDomain(delegationDomain, hash), sd.Signature); err != nil {
			return nil, nil, 0, fmt.Errorf("delegation %d: invalid delegation signature: %w", i, err)
		}
		if seen[string(del.PubKey)] {
			return nil, nil, 0, fmt.Errorf("delegation %d: public key repeats in the chain (cycles are not allowed)", i)
		}
		seen[string(del.PubKey)] = true
		targets = targets.intersect(del.Targets)
		signer = del.PubKey
		expiry = min(expiry, del.Expiration)
	}
	return signer, targets, expiry, nil
}

// decodeDelegation decodes a delegation map and computes its
// representation-independent hash over every field present.
func decodeDelegation(raw []byte) (*delegation, [32]byte, error) {
	if len(raw) == 0 {
		return nil, [32]byte{}, errors.New("missing field `delegation`")
	}
	fields, err := decodeMap(raw)
	if err != nil {
		return nil, [32]byte{}, fmt.Errorf("malformed delegation: %w", err)
	}
	var del delegation
	if err := decMode.Unmarshal(raw, &del); err != nil {
		return nil, [32]byte{}, fmt.Errorf("malformed delegation: %w", err)
	}
	for _, f := range []string{"pubkey", "expiration"} {
		if _, ok := fields[f]; !ok {
			return nil, [32]byte{}, fmt.Errorf("malformed delegation: missing field `%s`", f)
		}
	}
	hash, err := hashOfMap(fields)
	if err != nil {
		return nil, [32]byte{}, fmt.Errorf("malformed delegation: %w", err)
	}
	return &del, hash, nil
}

func checkDelegation(del *delegation, now time.Time) error {
	if nowNS := uint64(now.UnixNano()); del.Expiration < nowNS {
		return fmt.Errorf("delegation expired at %s, current time is %s",
			formatNS(del.Expiration), formatNS(nowNS))
	}
	if del.Targets != nil && len(del.Targets) > maxTargets {
		return fmt.Errorf("delegation has %d targets, at most %d are allowed", len(del.Targets), maxTargets)
	}
	return nil
}

// targetSet is the set of canister ids a delegation chain allows; nil
// means every canister.
type targetSet map[string]bool

func (s targetSet) intersect(targets [][]byte) targetSet {
	if targets == nil {
		return s
	}
	next := targetSet{}
	for _, t := range targets {
		if s == nil || s[string(t)] {
			next[string(t)] = true
		}
	}
	return next
}

func (s targetSet) list() []principal.Principal {
	if s == nil {
		return nil
	}
	out := make([]principal.Principal, 0, len(s))
	for t := range s {
		out = append(out, principal.Principal{Raw: []byte(t)})
	}
	return out
}

// allowsTarget reports whether a call or query to canister (with effective
// canister id ecid) is within targets. A management canister call is
// allowed when its effective canister is a target: that is the canister
// the call acts on.
func allowsTarget(targets []principal.Principal, canister, ecid principal.Principal) bool {
	if targets == nil {
		return true
	}
	for _, t := range targets {
		if bytes.Equal(t.Raw, canister.Raw) || (len(canister.Raw) == 0 && bytes.Equal(t.Raw, ecid.Raw)) {
			return true
		}
	}
	return false
}

// formatNS renders a nanosecond timestamp as the IC does in error texts.
func formatNS(ns uint64) string {
	return time.Unix(0, int64(ns)).UTC().Format("2006-01-02 15:04:05.999999999 UTC")
}
