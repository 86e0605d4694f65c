package replicatest

import (
	"bytes"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/fxamacker/cbor/v2"
)

// FlipCallSignature flips a bit of a synchronous call answer's certificate
// signature (not its subnet delegation's), in place in the CBOR body: a
// forgery that leaves the reply readable, for a Proxy rewrite. It panics
// on a body that holds no certificate.
func FlipCallSignature(body []byte) []byte {
	var answer struct {
		Certificate []byte `cbor:"certificate"`
	}
	var cert certification.Certificate
	if cbor.Unmarshal(body, &answer) != nil || cbor.Unmarshal(answer.Certificate, &cert) != nil {
		panic("the proxy cannot read a call's certificate")
	}
	flipped := bytes.Clone(cert.Signature)
	flipped[7] ^= 1
	return bytes.Replace(body, cert.Signature, flipped, 1)
}
