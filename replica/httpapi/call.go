package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/canistry/canistry/replica/reject"
)

// callV2Reject is the v2 call answer for a pre-processing refusal; agent-js
// recognises it by the reject_code key.
type callV2Reject struct {
	RejectCode    uint64 `cbor:"reject_code"`
	RejectMessage string `cbor:"reject_message"`
	ErrorCode     string `cbor:"error_code"`
}

// callSyncReject is the v3/v4 answer for a pre-processing refusal.
type callSyncReject struct {
	Status        string `cbor:"status"` // "non_replicated_rejection"
	RejectCode    uint64 `cbor:"reject_code"`
	RejectMessage string `cbor:"reject_message"`
	ErrorCode     string `cbor:"error_code"`
}

// callSyncReply is the v3/v4 answer once the call is done: the certificate
// proves its request status.
type callSyncReply struct {
	Status      string `cbor:"status"` // always "replied", whatever the call's outcome
	Certificate []byte `cbor:"certificate"`
}

func (h *handler) serveCall(w http.ResponseWriter, r *http.Request, rt route) {
	req, err := h.parseRequest(w, r, rt, "call")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.backend.Submit(r.Context(), req); err != nil {
		h.answerSubmitError(w, r, rt, err)
		return
	}
	if rt.version == "v2" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	h.awaitCall(w, r, req)
}

// answerSubmitError turns a refused submission into the IC's answer:
// rejects are 200 bodies, everything else an HTTP error.
func (h *handler) answerSubmitError(w http.ResponseWriter, r *http.Request, rt route, err error) {
	var rej *reject.Error
	if !errors.As(err, &rej) {
		h.writeError(w, r, err)
		return
	}
	if rt.version == "v2" {
		h.writeCBOR(w, r, http.StatusOK, callV2Reject{
			RejectCode: uint64(rej.Code), RejectMessage: rej.Message, ErrorCode: rej.ErrorCode.String(),
		})
		return
	}
	h.writeCBOR(w, r, http.StatusOK, callSyncReject{
		Status:     "non_replicated_rejection",
		RejectCode: uint64(rej.Code), RejectMessage: rej.Message, ErrorCode: rej.ErrorCode.String(),
	})
}

// awaitCall waits up to SyncCallTimeout for the certificate of a v3/v4
// call; if the call is not done by then the client gets 202 and polls
// read_state.
func (h *handler) awaitCall(w http.ResponseWriter, r *http.Request, req *Request) {
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.SyncCallTimeout)
	defer cancel()
	cert, err := h.backend.Await(ctx, req)
	switch {
	case errors.Is(err, ErrNotDone) || (err != nil && ctx.Err() != nil):
		w.WriteHeader(http.StatusAccepted)
	case err != nil:
		h.writeError(w, r, err)
	default:
		h.writeCBOR(w, r, http.StatusOK, callSyncReply{Status: "replied", Certificate: cert})
	}
}
