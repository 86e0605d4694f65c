package httpapi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// The fuzz targets of the replica's HTTP interface. `go test -fuzz` runs
// one at a time; .ci/run runs each for a bounded time, and the seed corpus
// (below and in testdata/fuzz) runs with every plain `go test`.

// envelopeSeeds are valid envelopes of each request type, as agent-go
// encodes them, for the fuzzer to mutate.
func envelopeSeeds(f *testing.F) {
	sender := principal.AnonymousID
	for _, typ := range []string{agent.RequestTypeCall, agent.RequestTypeQuery, agent.RequestTypeReadState} {
		req := newRequest(typ, sender)
		data, err := cbor.Marshal(agent.Envelope{Content: req})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, typ)
	}
	f.Add([]byte{0xd9, 0xd9, 0xf7, 0xa0}, "call")
	f.Add([]byte("not cbor"), "query")
	f.Add([]byte{0xa1, 0x67, 'c', 'o', 'n', 't', 'e', 'n', 't', 0xc2, 0x59, 0x27, 0x10}, "call") // a bignum that claims 10 KB
}

// FuzzDecodeEnvelope: any body is decoded or refused with a 400 whose
// message is bounded; a body that decodes has a request id that does not
// depend on how often it is decoded.
func FuzzDecodeEnvelope(f *testing.F) {
	envelopeSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte, typ string) {
		d, err := decodeEnvelope(body, typ)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
				t.Fatalf("decodeEnvelope refused with %v, want a 400 *Error", err)
			}
			if len(e.Message) > maxMessage+64 {
				t.Fatalf("refusal of %d bytes: %d bytes of message", len(body), len(e.Message))
			}
			return
		}
		again, err := decodeEnvelope(body, typ)
		if err != nil || again.id != d.id {
			t.Fatalf("decoding twice: %v, id %x vs %x", err, again.id, d.id)
		}
	})
}

// FuzzRequestID holds the replica's request id to agent-go's: for any
// request agent-go can make, both hash its content alike — the id is what
// a sender signs, so any difference is a refused signature.
func FuzzRequestID(f *testing.F) {
	f.Add("greet", []byte("DIDL\x00\x00"), []byte("0123456789"), uint64(testNow.UnixNano()), "time", false)
	f.Add("", []byte{}, []byte{}, uint64(0), "", true)
	f.Add("ünïcödé", []byte{0xff, 0x00}, []byte(nil), uint64(1<<63), "request_status", true)
	f.Fuzz(func(t *testing.T, method string, arg, nonce []byte, expiry uint64, label string, readState bool) {
		req := agent.Request{
			Type: agent.RequestTypeCall, Sender: principal.AnonymousID, CanisterID: testCanister,
			MethodName: method, Arguments: arg, Nonce: nonce, IngressExpiry: expiry,
		}
		typ := agent.RequestTypeCall
		if readState {
			typ = agent.RequestTypeReadState
			req = agent.Request{Type: typ, Sender: principal.AnonymousID, IngressExpiry: expiry,
				Paths: [][]hashtree.Label{{hashtree.Label(label)}}}
		}
		data, err := cbor.Marshal(agent.Envelope{Content: req})
		if err != nil {
			t.Skip()
		}
		d, err := decodeEnvelope(data, typ)
		if err != nil {
			return // agent-go can make what the spec refuses (a long nonce); refusing is the replica's right
		}
		if want := agent.NewRequestID(req); d.id != [32]byte(want) {
			t.Fatalf("request id %x, agent-go's %x, for %+v", d.id, want, req)
		}
	})
}
