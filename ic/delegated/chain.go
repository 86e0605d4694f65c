package delegated

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

// Chain is a delegation chain: PublicKey (DER) is the user's key, the
// first delegation is signed by it, each further one by the key the one
// before delegated to. The last delegation's PubKey signs requests.
type Chain struct {
	PublicKey   []byte
	Delegations []SignedDelegation
}

// SignedDelegation is one link of a chain.
type SignedDelegation struct {
	Delegation Delegation
	Signature  []byte
}

// Delegation lets PubKey act for the signer until Expiration (nanoseconds
// since 1970), only towards Targets when Targets is not nil.
type Delegation struct {
	PubKey     []byte
	Expiration uint64
	Targets    []principal.Principal
}

// Sender is the principal the chain acts for: the self-authenticating
// principal of its public key.
func (c *Chain) Sender() principal.Principal {
	return principal.NewSelfAuthenticating(c.PublicKey)
}

// Expiry is the earliest expiration of the chain's links.
func (c *Chain) Expiry() time.Time {
	var least uint64
	for i, d := range c.Delegations {
		if i == 0 || d.Delegation.Expiration < least {
			least = d.Delegation.Expiration
		}
	}
	return time.Unix(0, int64(least))
}

// SessionKey is the DER key the chain delegates to in the end: the key
// that must sign requests. Nil for an empty chain.
func (c *Chain) SessionKey() []byte {
	if len(c.Delegations) == 0 {
		return nil
	}
	return c.Delegations[len(c.Delegations)-1].Delegation.PubKey
}

// jsonChain is DelegationChain.toJSON() of @dfinity/identity 3.4.3: byte
// strings in hex, the expiration as hex nanoseconds, targets as hex of
// the principals' bytes.
type jsonChain struct {
	PublicKey   string           `json:"publicKey"`
	Delegations []jsonDelegation `json:"delegations"`
}

type jsonDelegation struct {
	Delegation struct {
		PubKey     string   `json:"pubkey"`
		Expiration string   `json:"expiration"`
		Targets    []string `json:"targets,omitempty"`
	} `json:"delegation"`
	Signature string `json:"signature"`
}

// MarshalJSON writes the chain as @dfinity/identity does (targets in
// upper case, as Principal.toHex writes them).
func (c *Chain) MarshalJSON() ([]byte, error) {
	out := jsonChain{PublicKey: hex.EncodeToString(c.PublicKey), Delegations: []jsonDelegation{}}
	for _, sd := range c.Delegations {
		var jd jsonDelegation
		jd.Delegation.PubKey = hex.EncodeToString(sd.Delegation.PubKey)
		jd.Delegation.Expiration = strconv.FormatUint(sd.Delegation.Expiration, 16)
		if sd.Delegation.Targets != nil {
			jd.Delegation.Targets = make([]string, len(sd.Delegation.Targets))
			for i, t := range sd.Delegation.Targets {
				jd.Delegation.Targets[i] = strings.ToUpper(hex.EncodeToString(t.Raw))
			}
		}
		jd.Signature = hex.EncodeToString(sd.Signature)
		out.Delegations = append(out.Delegations, jd)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads DelegationChain.toJSON()'s form, naming the field
// that does not parse.
func (c *Chain) UnmarshalJSON(data []byte) error {
	var in struct {
		PublicKey   *string          `json:"publicKey"`
		Delegations []jsonDelegation `json:"delegations"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("not the JSON of a DelegationChain: %w", err)
	}
	if in.PublicKey == nil {
		return errors.New("the chain has no publicKey")
	}
	pub, err := decodeHex("publicKey", *in.PublicKey)
	if err != nil {
		return err
	}
	if len(in.Delegations) == 0 {
		return errors.New("the chain has no delegations")
	}
	out := Chain{PublicKey: pub}
	for i, jd := range in.Delegations {
		sd, err := jd.parse()
		if err != nil {
			return fmt.Errorf("delegations[%d]: %w", i, err)
		}
		out.Delegations = append(out.Delegations, sd)
	}
	*c = out
	return nil
}

func (jd jsonDelegation) parse() (SignedDelegation, error) {
	var sd SignedDelegation
	var err error
	if sd.Delegation.PubKey, err = decodeHex("pubkey", jd.Delegation.PubKey); err != nil {
		return sd, err
	}
	if sd.Delegation.Expiration, err = strconv.ParseUint(jd.Delegation.Expiration, 16, 64); err != nil {
		return sd, fmt.Errorf("expiration %q is not hex nanoseconds", jd.Delegation.Expiration)
	}
	if jd.Delegation.Targets != nil {
		sd.Delegation.Targets = make([]principal.Principal, len(jd.Delegation.Targets))
		for i, t := range jd.Delegation.Targets {
			// The management canister aaaaa-aa is the empty principal: "".
			raw, err := hex.DecodeString(t)
			if err != nil {
				return sd, fmt.Errorf("targets[%d] is not hex: %w", i, err)
			}
			sd.Delegation.Targets[i] = principal.Principal{Raw: raw}
		}
	}
	if sd.Signature, err = decodeHex("signature", jd.Signature); err != nil {
		return sd, err
	}
	return sd, nil
}

func decodeHex(field, s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%s is missing", field)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not hex: %w", field, err)
	}
	return b, nil
}

// Header is the chain as the Canistry-Delegation header carries it: the
// base64url (no padding) of its JSON.
func (c *Chain) Header() (string, error) {
	data, err := c.MarshalJSON()
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(data), nil
}

// ParseHeader reads a Canistry-Delegation header value.
func ParseHeader(value string) (*Chain, error) {
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return nil, fmt.Errorf("not base64url without padding: %w", err)
	}
	var c Chain
	if err := c.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &c, nil
}
