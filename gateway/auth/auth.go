// Package auth is the gateway's check of a request's Canistry-Delegation:
// the user's delegation chain must verify, end at the gateway's key and
// allow the routed canister before anything reaches an adapter. Verified
// chains are cached by their hash until they expire, so a client that
// sends the same header again costs one map lookup.
package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic/delegated"
)

// Header carries the user's delegation chain: the base64url (no padding)
// of the JSON of @dfinity/identity's DelegationChain.toJSON().
const Header = "Canistry-Delegation"

// Skew is the clock difference tolerated on a delegation's expiration.
const Skew = 30 * time.Second

// maxCached bounds the cache; past it, expired entries are swept.
const maxCached = 1 << 16

// Verifier checks delegations to one gateway key.
type Verifier struct {
	key     []byte // the gateway's DER public key
	rootKey []byte // anchors canister signatures (Internet Identity)
	now     func() time.Time

	mu    sync.RWMutex
	cache map[[32]byte]*delegated.Verified

	nVerified, nRefused, nCached atomic.Uint64
}

// Stats counts the delegation headers checked so far: verified afresh,
// refused (missing, malformed, forged, expired, to another key) and
// answered from the cache of chains verified earlier.
type Stats struct{ Verified, Refused, Cached uint64 }

// Stats are the verifier's counts so far.
func (v *Verifier) Stats() Stats {
	return Stats{Verified: v.nVerified.Load(), Refused: v.nRefused.Load(), Cached: v.nCached.Load()}
}

// New checks chains ending at gatewayKey (DER); rootKey is the IC's DER
// root key.
func New(gatewayKey, rootKey []byte) *Verifier {
	return &Verifier{key: gatewayKey, rootKey: rootKey, now: time.Now, cache: map[[32]byte]*delegated.Verified{}}
}

// Check verifies the header value for a request to canister. Its errors
// are Connect errors: Unauthenticated for a missing, malformed, expired,
// forged chain or one to another key; PermissionDenied for a canister
// outside the chain's targets.
func (v *Verifier) Check(value string, canister principal.Principal) (*delegated.Verified, error) {
	if value == "" {
		v.nRefused.Add(1)
		return nil, unauthenticated("missing header %s: send a delegation from your key to this gateway's key "+
			"(canistry.session.v1.SessionService/GetGatewayKey; 'canistry session' prints one)", Header)
	}
	vd, err := v.verified(value)
	if err != nil {
		return nil, err
	}
	if !vd.Allows(canister) {
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf(
			"header %s does not allow canister %s: it is not among the delegation's targets; delegate again with it as a target", Header, canister))
	}
	return vd, nil
}

func (v *Verifier) verified(value string) (*delegated.Verified, error) {
	h := sha256.Sum256([]byte(value))
	now := v.now()
	v.mu.RLock()
	vd, ok := v.cache[h]
	v.mu.RUnlock()
	if ok {
		if now.Before(vd.Expiry.Add(Skew)) {
			v.nCached.Add(1)
			return vd, nil
		}
		v.mu.Lock()
		delete(v.cache, h)
		v.mu.Unlock()
	}
	vd, err := v.verify(value, now)
	if err != nil {
		v.nRefused.Add(1)
		return nil, err
	}
	v.nVerified.Add(1)
	v.remember(h, vd, now)
	return vd, nil
}

func (v *Verifier) verify(value string, now time.Time) (*delegated.Verified, error) {
	chain, err := delegated.ParseHeader(value)
	if err != nil {
		return nil, unauthenticated("header %s is malformed: %v", Header, err)
	}
	if !bytes.Equal(chain.SessionKey(), v.key) {
		return nil, unauthenticated("header %s delegates to the key %s, not to this gateway's key %s: delegate to the key GetGatewayKey returns",
			Header, short(chain.SessionKey()), short(v.key))
	}
	vd, err := chain.Verify(now, Skew, v.rootKey)
	if err != nil {
		return nil, unauthenticated("header %s: %v", Header, err)
	}
	return vd, nil
}

func (v *Verifier) remember(h [32]byte, vd *delegated.Verified, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.cache) >= maxCached {
		for k, e := range v.cache {
			if !now.Before(e.Expiry.Add(Skew)) {
				delete(v.cache, k)
			}
		}
		if len(v.cache) >= maxCached {
			return // full of live chains: verify this one every time
		}
	}
	v.cache[h] = vd
}

// short names a DER key by the end of its hex, enough to tell keys apart.
func short(der []byte) string {
	s := hex.EncodeToString(der)
	if len(s) > 16 {
		return "…" + s[len(s)-16:]
	}
	return s
}
