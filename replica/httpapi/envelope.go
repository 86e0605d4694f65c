package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/fxamacker/cbor/v2"
)

// selfDescribeTag is CBOR tag 55799; agent-js prefixes requests with it,
// agent-go does not, and the IC prefixes every response with it.
var selfDescribeTag = []byte{0xd9, 0xd9, 0xf7}

// Limits of the interface spec on request contents.
const (
	maxNonceBytes      = 32
	maxReadStatePaths  = 1000
	maxPathLabels      = 127
	maxDelegations     = 20
	maxTargets         = 1000
	maxPrincipalLength = 29
)

// decMode rejects duplicate map keys: two different values for one key
// would let the signed request id and the executed request disagree.
var decMode = func() cbor.DecMode {
	m, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  16,
		MaxArrayElements: 1 << 20,
		MaxMapPairs:      1 << 10,
		IndefLength:      cbor.IndefLengthAllowed,
		TagsMd:           cbor.TagsAllowed,
		IntDec:           cbor.IntDecConvertNone,
	}.DecMode()
	if err != nil {
		// The options above are constants; an error is a programming bug
		// caught by every test.
		panic(fmt.Sprintf("httpapi: CBOR decode options: %v", err))
	}
	return m
}()

// envelope is the outer request map (spec "Authentication").
type envelope struct {
	Content          cbor.RawMessage    `cbor:"content"`
	SenderPubKey     []byte             `cbor:"sender_pubkey"`
	SenderSig        []byte             `cbor:"sender_sig"`
	SenderDelegation []signedDelegation `cbor:"sender_delegation"`
}

type signedDelegation struct {
	Delegation cbor.RawMessage `cbor:"delegation"`
	Signature  []byte          `cbor:"signature"`
}

// content is the typed view of the content map; the request id is
// computed from the untyped view so that every field present counts.
type content struct {
	RequestType   string     `cbor:"request_type"`
	CanisterID    []byte     `cbor:"canister_id"`
	MethodName    string     `cbor:"method_name"`
	Arg           []byte     `cbor:"arg"`
	Sender        []byte     `cbor:"sender"`
	IngressExpiry uint64     `cbor:"ingress_expiry"`
	Nonce         []byte     `cbor:"nonce"`
	Paths         [][][]byte `cbor:"paths"`
}

// delegation is the typed view of a signed delegation's inner map.
type delegation struct {
	PubKey     []byte   `cbor:"pubkey"`
	Expiration uint64   `cbor:"expiration"`
	Targets    [][]byte `cbor:"targets"`
}

// decoded is an envelope after CBOR decoding and request-id computation,
// before authentication.
type decoded struct {
	env     envelope
	content content
	fields  map[string]any // the content map as decoded, for field presence
	id      [32]byte
}

// requiredFields lists the content fields each request type must carry.
var requiredFields = map[string][]string{
	"call":       {"request_type", "canister_id", "method_name", "arg", "sender", "ingress_expiry"},
	"query":      {"request_type", "canister_id", "method_name", "arg", "sender", "ingress_expiry"},
	"read_state": {"request_type", "paths", "sender", "ingress_expiry"},
}

// decodeEnvelope parses body as an envelope for requestType and checks the
// shape of its content. Every failure is a 400.
func decodeEnvelope(body []byte, requestType string) (*decoded, error) {
	body = bytes.TrimPrefix(body, selfDescribeTag)
	var d decoded
	if err := decMode.Unmarshal(body, &d.env); err != nil {
		return nil, errorf(http.StatusBadRequest, "Could not parse body as %s envelope: %v", requestType, err)
	}
	if len(d.env.Content) == 0 {
		return nil, errorf(http.StatusBadRequest, "Could not parse body as %s envelope: missing field `content`", requestType)
	}
	fields, err := decodeMap(d.env.Content)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "Could not parse body as %s content: %v", requestType, err)
	}
	d.fields = fields
	if err := decMode.Unmarshal(d.env.Content, &d.content); err != nil {
		return nil, errorf(http.StatusBadRequest, "Could not parse body as %s content: %v", requestType, err)
	}
	if err := checkContent(&d, requestType); err != nil {
		return nil, err
	}
	id, err := hashOfMap(fields)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "Could not compute the request id: %v", err)
	}
	d.id = id
	return &d, nil
}

// decodeMap decodes a CBOR map with text keys into a Go map.
func decodeMap(data []byte) (map[string]any, error) {
	var m map[string]any
	if err := decMode.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("expected a map")
	}
	return m, nil
}

// checkContent verifies the request type, required fields and the spec's
// size limits.
func checkContent(d *decoded, requestType string) error {
	c := &d.content
	if c.RequestType != requestType {
		return errorf(http.StatusBadRequest, "Could not parse body as %s content: request_type is %q, expected %q", requestType, c.RequestType, requestType)
	}
	for _, f := range requiredFields[requestType] {
		if _, ok := d.fields[f]; !ok {
			return errorf(http.StatusBadRequest, "Could not parse body as %s content: missing field `%s`", requestType, f)
		}
	}
	if len(c.Sender) > maxPrincipalLength || len(c.CanisterID) > maxPrincipalLength {
		return errorf(http.StatusBadRequest, "Could not parse body as %s content: principal longer than %d bytes", requestType, maxPrincipalLength)
	}
	if len(c.Nonce) > maxNonceBytes {
		return errorf(http.StatusBadRequest, "Invalid nonce: %d bytes, at most %d are allowed", len(c.Nonce), maxNonceBytes)
	}
	return checkPaths(c.Paths)
}

func checkPaths(paths [][][]byte) error {
	if len(paths) > maxReadStatePaths {
		return errorf(http.StatusBadRequest, "Too many paths requested: %d, at most %d are allowed", len(paths), maxReadStatePaths)
	}
	for _, p := range paths {
		if len(p) > maxPathLabels {
			return errorf(http.StatusBadRequest, "Path too long: %d labels, at most %d are allowed", len(p), maxPathLabels)
		}
	}
	return nil
}
