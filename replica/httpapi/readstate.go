package httpapi

import "net/http"

type readStateResponse struct {
	Certificate []byte `cbor:"certificate"`
}

func (h *handler) serveReadState(w http.ResponseWriter, r *http.Request, rt route) {
	req, err := h.parseRequest(w, r, rt, "read_state")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cert, err := h.backend.ReadState(r.Context(), req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeCBOR(w, r, http.StatusOK, readStateResponse{Certificate: cert})
}
