package certify

import (
	"encoding/binary"
	"fmt"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// selfDescribeTag is the CBOR self-describe tag the IC puts in front of certificates and CBOR leaves.
const selfDescribeTag = 55799

// NatValue encodes a nat leaf (e.g. /time, reject_code) as unsigned LEB128, which is exactly Go's
// uvarint encoding.
func NatValue(n uint64) []byte {
	return binary.AppendUvarint(nil, n)
}

// ControllersValue encodes /canister/<cid>/controllers: CBOR tag 55799 array of principal bytes.
func ControllersValue(controllers []principal.Principal) ([]byte, error) {
	raw := make([][]byte, len(controllers))
	for i, c := range controllers {
		raw[i] = cloneBytes(c.Raw)
	}
	b, err := cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: raw})
	if err != nil {
		return nil, fmt.Errorf("encode controllers: %w", err)
	}
	return b, nil
}

// canisterRangesValue encodes canister ranges: CBOR tag 55799 list of closed [start, end] intervals.
func canisterRangesValue(ranges [][2][]byte) ([]byte, error) {
	raw := make([][][]byte, len(ranges))
	for i, r := range ranges {
		raw[i] = [][]byte{cloneBytes(r[0]), cloneBytes(r[1])}
	}
	b, err := cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: raw})
	if err != nil {
		return nil, fmt.Errorf("encode canister ranges: %w", err)
	}
	return b, nil
}
