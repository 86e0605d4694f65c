package httpapi

import "net/http"

// statusResponse is the IC's HttpStatusResponse; agents read root_key.
type statusResponse struct {
	RootKey             []byte `cbor:"root_key"`
	ImplVersion         string `cbor:"impl_version"`
	ReplicaHealthStatus string `cbor:"replica_health_status"`
	ICAPIVersion        string `cbor:"ic_api_version"`
}

// Versions reported by /api/v2/status.
const (
	implVersion  = "canistry"
	icAPIVersion = "0.18.0"
)

func (h *handler) serveStatus(w http.ResponseWriter, r *http.Request) {
	h.writeCBOR(w, r, http.StatusOK, statusResponse{
		RootKey:             h.backend.RootKey(),
		ImplVersion:         implVersion,
		ReplicaHealthStatus: "healthy",
		ICAPIVersion:        icAPIVersion,
	})
}
