package httpapi

import (
	"errors"
	"net/http"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/canistry/canistry/replica/reject"
)

// nodeSignature is one node's signature of a query response (spec
// "Query call", §4.8 of the notes).
type nodeSignature struct {
	Timestamp uint64 `cbor:"timestamp"`
	Signature []byte `cbor:"signature"`
	Identity  []byte `cbor:"identity"`
}

type queryReply struct {
	Arg []byte `cbor:"arg"`
}

type queryReplied struct {
	Status     string          `cbor:"status"` // "replied"
	Reply      queryReply      `cbor:"reply"`
	Signatures []nodeSignature `cbor:"signatures"`
}

// queryRejected always carries error_code: agent-go hashes it (as "" when
// absent), so leaving it out would break signature verification.
type queryRejected struct {
	Status        string          `cbor:"status"` // "rejected"
	RejectCode    uint64          `cbor:"reject_code"`
	RejectMessage string          `cbor:"reject_message"`
	ErrorCode     string          `cbor:"error_code"`
	Signatures    []nodeSignature `cbor:"signatures"`
}

func (h *handler) serveQuery(w http.ResponseWriter, r *http.Request, rt route) {
	req, err := h.parseRequest(w, r, rt, "query")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	reply, err := h.backend.Query(r.Context(), req)
	var rej *reject.Error
	switch {
	case errors.As(err, &rej):
		h.answerQueryReject(w, r, req, rej)
	case err != nil:
		h.writeError(w, r, err)
	default:
		h.answerQueryReply(w, r, req, nonNil(reply))
	}
}

func (h *handler) answerQueryReply(w http.ResponseWriter, r *http.Request, req *Request, reply []byte) {
	ts := uint64(h.backend.Now().UnixNano())
	sig, err := h.signQueryResponse(req, ts, map[string]any{
		"status": "replied",
		"reply":  map[string]any{"arg": reply},
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeCBOR(w, r, http.StatusOK, queryReplied{
		Status: "replied", Reply: queryReply{Arg: reply}, Signatures: []nodeSignature{sig},
	})
}

func (h *handler) answerQueryReject(w http.ResponseWriter, r *http.Request, req *Request, rej *reject.Error) {
	ts := uint64(h.backend.Now().UnixNano())
	sig, err := h.signQueryResponse(req, ts, map[string]any{
		"status":         "rejected",
		"reject_code":    uint64(rej.Code),
		"reject_message": rej.Message,
		"error_code":     rej.ErrorCode.String(),
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeCBOR(w, r, http.StatusOK, queryRejected{
		Status: "rejected", RejectCode: uint64(rej.Code), RejectMessage: rej.Message,
		ErrorCode: rej.ErrorCode.String(), Signatures: []nodeSignature{sig},
	})
}

// signQueryResponse has the node sign hash_of_map(response fields ∪
// {timestamp, request_id}).
func (h *handler) signQueryResponse(req *Request, ts uint64, fields map[string]any) (nodeSignature, error) {
	fields["timestamp"] = ts
	fields["request_id"] = req.ID[:]
	hash, err := certification.HashAny(fields)
	if err != nil {
		return nodeSignature{}, err
	}
	node, sig := h.backend.SignQueryResponse(hash)
	return nodeSignature{Timestamp: ts, Signature: sig, Identity: node.Raw}, nil
}
