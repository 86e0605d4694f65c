package certify_test

import (
	"fmt"
	"log"
	"time"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/canistry/canistry/replica/certify"
	"github.com/fxamacker/cbor/v2"
)

// Example shows the replica's use of the package: keep a Tree, certify each new version once,
// and answer read_state requests from the certified version.
func Example() {
	keys, err := certify.GenerateKeys() // persist with keys.MarshalBinary
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	certifier, err := certify.NewCertifier(keys, now)
	if err != nil {
		log.Fatal(err)
	}

	var state certify.Tree
	for _, e := range keys.SubnetEntries() {
		state = state.Set(e.Path, e.Value)
	}
	rid := []byte("0123456789abcdef0123456789abcdef")
	state = state.Set(certify.Path{[]byte("request_status"), rid, []byte("status")}, []byte("replied"))

	certified, err := certifier.Certify(state, now) // one BLS signature per version
	if err != nil {
		log.Fatal(err)
	}
	raw, err := certified.Certificate([]certify.Path{{[]byte("request_status"), rid}})
	if err != nil {
		log.Fatal(err)
	}

	// What an agent does with the bytes:
	var cert certification.Certificate
	if err := cbor.Unmarshal(raw, &cert); err != nil {
		log.Fatal(err)
	}
	ecid := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	fmt.Println("verified:", certification.VerifyCertificate(cert, ecid, keys.RootKeyDER()) == nil)
	status, err := cert.Tree.Lookup([]byte("request_status"), rid, []byte("status"))
	fmt.Println("status:", string(status), err)
	// Output:
	// verified: true
	// status: replied <nil>
}
