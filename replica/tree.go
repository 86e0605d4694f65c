package replica

import (
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/replica/certify"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// The state tree's labels (interface spec, "The system state tree").
var (
	labelCanister      = []byte("canister")
	labelRequestStatus = []byte("request_status")
	labelModuleHash    = []byte("module_hash")
	labelControllers   = []byte("controllers")
	labelMetadata      = []byte("metadata")
	labelCertifiedData = []byte("certified_data")
)

// setCanisterTree replaces /canister/<id> with what rec says.
func setCanisterTree(t certify.Tree, rec *state.Canister) certify.Tree {
	base := certify.Path{labelCanister, rec.ID}
	t = t.Delete(base)
	t = t.Set(append(base, labelControllers), controllersCBOR(rec.Controllers))
	if len(rec.CertifiedData) > 0 {
		t = t.Set(append(base, labelCertifiedData), rec.CertifiedData)
	}
	if rec.ModuleHash == nil {
		return t
	}
	t = t.Set(append(base, labelModuleHash), rec.ModuleHash)
	for _, m := range rec.Metadata {
		t = t.Set(certify.Path{labelCanister, rec.ID, labelMetadata, []byte(m.Name)}, m.Content)
	}
	return t
}

// controllersCBOR is the encoding the spec gives the controllers leaf: a
// self-describing CBOR array of principal bytes.
func controllersCBOR(ctls [][]byte) []byte {
	if ctls == nil {
		ctls = [][]byte{}
	}
	b, err := cbor.Marshal(cbor.Tag{Number: 55799, Content: ctls})
	if err != nil {
		panic(err) // cannot happen: a list of byte strings always encodes
	}
	return b
}

// setRequestStatus records a finished request under /request_status/<id>.
func setRequestStatus(t certify.Tree, in *state.Ingress) certify.Tree {
	base := certify.Path{labelRequestStatus, in.ID}
	t = t.Set(append(base, []byte("status")), []byte(in.Status))
	switch in.Status {
	case statusProcessing:
		return t
	case statusReplied:
		return t.Set(append(base, []byte("reply")), in.Reply)
	}
	t = t.Set(append(base, []byte("reject_code")), leb128.AppendUnsignedUint64(nil, uint64(in.RejectCode)))
	t = t.Set(append(base, []byte("reject_message")), []byte(in.RejectMessage))
	return t.Set(append(base, []byte("error_code")), []byte(in.ErrorCode))
}

const (
	statusProcessing = "processing"
	statusReplied    = "replied"
	statusRejected   = "rejected"
)

// outcomeRecord turns a message's outcome into its remembered record.
func outcomeRecord(e *ingressEntry, reply []byte, rej *reject.Error) *state.Ingress {
	in := &state.Ingress{ID: e.id[:], Sender: e.sender, Effective: e.effective, Expiry: e.expiry}
	if rej == nil {
		in.Status, in.Reply = statusReplied, reply
		return in
	}
	in.Status = statusRejected
	in.RejectCode = uint8(rej.Code)
	in.RejectMessage = rej.Message
	in.ErrorCode = rej.ErrorCode.String()
	return in
}
