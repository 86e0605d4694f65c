package certify

import (
	"fmt"
	"time"

	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/fxamacker/cbor/v2"
)

// Certified is one signed version of the state tree. It is immutable and safe for concurrent use.
type Certified struct {
	tree       Tree
	time       time.Time
	rootHash   [32]byte
	signature  []byte
	subnetID   []byte
	delegation *delegation
}

// Tree is the certified tree, including /time.
func (c *Certified) Tree() Tree { return c.tree }

// Time is the certified /time.
func (c *Certified) Time() time.Time { return c.time }

// RootHash is the root hash the signature covers.
func (c *Certified) RootHash() [32]byte { return c.rootHash }

// Certificate returns the CBOR certificate (self-describe tag 55799) revealing paths and /time:
// {tree, signature, delegation: {subnet_id, certificate}}. Responses carry it as a byte string.
func (c *Certified) Certificate(paths []Path) ([]byte, error) {
	withTime := make([]Path, 0, len(paths)+1)
	withTime = append(append(withTime, paths...), timePath)
	return encodeCertificate(c.tree.Witness(withTime), c.signature, &delegationCBOR{
		SubnetID:    c.subnetID,
		Certificate: c.delegation.certificate,
	})
}

type certificateCBOR struct {
	Tree       hashtree.HashTree `cbor:"tree"`
	Signature  []byte            `cbor:"signature"`
	Delegation *delegationCBOR   `cbor:"delegation,omitempty"`
}

type delegationCBOR struct {
	SubnetID    []byte `cbor:"subnet_id"`
	Certificate []byte `cbor:"certificate"`
}

func encodeCertificate(witness hashtree.Node, signature []byte, d *delegationCBOR) ([]byte, error) {
	b, err := cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: certificateCBOR{
		Tree:       hashtree.NewHashTree(witness),
		Signature:  signature,
		Delegation: d,
	}})
	if err != nil {
		return nil, fmt.Errorf("encode certificate: %w", err)
	}
	return b, nil
}
