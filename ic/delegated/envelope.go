package delegated

import (
	"crypto/rand"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// envelope is agent-go's Envelope with the field it lacks. The content
// is agent-go's own Request (its MarshalCBOR and NewRequestID), so the
// bytes sent and the id signed are agent-go's.
type envelope struct {
	Content          agent.Request      `cbor:"content"`
	SenderPubKey     []byte             `cbor:"sender_pubkey"`
	SenderSig        []byte             `cbor:"sender_sig"`
	SenderDelegation []signedDelegation `cbor:"sender_delegation,omitempty"`
}

// signedDelegation and delegation are the CBOR of the spec's
// signed-delegation; targets are omitted when unrestricted.
type signedDelegation struct {
	Delegation delegation `cbor:"delegation"`
	Signature  []byte     `cbor:"signature"`
}

type delegation struct {
	PubKey     []byte   `cbor:"pubkey"`
	Expiration uint64   `cbor:"expiration"`
	Targets    [][]byte `cbor:"targets,omitempty"`
}

func (c *Chain) cbor() []signedDelegation {
	out := make([]signedDelegation, len(c.Delegations))
	for i, sd := range c.Delegations {
		d := delegation{PubKey: sd.Delegation.PubKey, Expiration: sd.Delegation.Expiration}
		if sd.Delegation.Targets != nil {
			d.Targets = make([][]byte, len(sd.Delegation.Targets))
			for j, t := range sd.Delegation.Targets {
				d.Targets[j] = t.Raw
			}
		}
		out[i] = signedDelegation{Delegation: d, Signature: sd.Signature}
	}
	return out
}

// ingressExpiry is how long a request stays valid, as agent-go's default.
const ingressExpiry = 5 * time.Minute

// signer signs requests as the chain's user with the session key, or,
// without a chain, as the session key itself.
type signer struct {
	key       identity.Identity
	pubKey    []byte // sender_pubkey: the user's key
	sender    principal.Principal
	delegated []signedDelegation
}

func newSigner(key identity.Identity, chain *Chain) *signer {
	if chain == nil {
		return &signer{key: key, pubKey: key.PublicKey(), sender: key.Sender()}
	}
	return &signer{key: key, pubKey: chain.PublicKey, sender: chain.Sender(), delegated: chain.cbor()}
}

// request is a call or query content as agent-go makes it (10-byte nonce).
func (s *signer) request(typ agent.RequestType, canister principal.Principal, method string, arg []byte) (agent.Request, error) {
	nonce := make([]byte, 10)
	if _, err := rand.Read(nonce); err != nil {
		return agent.Request{}, err
	}
	if arg == nil {
		arg = []byte{}
	}
	return agent.Request{
		Type: typ, Sender: s.sender, CanisterID: canister, MethodName: method, Arguments: arg,
		IngressExpiry: uint64(time.Now().Add(ingressExpiry).UnixNano()), Nonce: nonce,
	}, nil
}

func (s *signer) readState(paths [][]hashtree.Label) agent.Request {
	return agent.Request{
		Type: agent.RequestTypeReadState, Sender: s.sender, Paths: paths,
		IngressExpiry: uint64(time.Now().Add(ingressExpiry).UnixNano()),
	}
}

// sign is agent-go's Agent.sign plus sender_delegation.
func (s *signer) sign(req agent.Request) (agent.RequestID, []byte, error) {
	id := agent.NewRequestID(req)
	sig, err := id.Sign(s.key)
	if err != nil {
		return id, nil, err
	}
	data, err := cbor.Marshal(envelope{
		Content: req, SenderPubKey: s.pubKey, SenderSig: sig, SenderDelegation: s.delegated,
	})
	return id, data, err
}
