package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// handler serves the IC HTTP interface for one Backend.
type handler struct {
	backend Backend
	cfg     Config
	log     *slog.Logger
	chains  *chainCache // delegation chains verified so far
}

// NewHandler returns the http.Handler of the IC HTTP interface. A nil log
// uses slog.Default().
func NewHandler(b Backend, cfg Config, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return &handler{backend: b, cfg: cfg.withDefaults(), log: log, chains: newChainCache(defaultChainCacheBytes)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORSHeaders(w.Header(), r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.URL.Path == topologyPath {
		h.serveTopology(w, r)
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		h.writeError(w, r, errorf(http.StatusNotFound, "No endpoint at %s", r.URL.Path))
		return
	}
	if r.Method != rt.method() {
		w.Header().Set("Allow", rt.method()+", OPTIONS")
		h.writeError(w, r, errorf(http.StatusMethodNotAllowed, "%s requires %s", r.URL.Path, rt.method()))
		return
	}
	switch rt.op {
	case opStatus:
		h.serveStatus(w, r)
	case opCall:
		h.serveCall(w, r, rt)
	case opQuery:
		h.serveQuery(w, r, rt)
	case opReadState:
		h.serveReadState(w, r, rt)
	}
}

// setCORSHeaders is the permissive CORS policy of the IC and PocketIC:
// browser agents on any origin may call the replica.
func setCORSHeaders(hdr http.Header, r *http.Request) {
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	allowed := r.Header.Get("Access-Control-Request-Headers")
	if allowed == "" {
		allowed = "Content-Type"
	}
	hdr.Set("Access-Control-Allow-Headers", allowed)
	hdr.Set("Access-Control-Max-Age", "7200")
}

// readBody checks the content type and reads the body within the size
// limit.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/cbor" {
		return nil, errorf(http.StatusBadRequest, "Unexpected content-type, expected application/cbor, got %q", r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errorf(http.StatusRequestEntityTooLarge, "Request body is larger than the maximum of %d bytes", h.cfg.MaxBodyBytes)
	}
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "Could not read the request body: %v", err)
	}
	return body, nil
}

// writeCBOR sends v as self-described CBOR, the way the IC answers.
func (h *handler) writeCBOR(w http.ResponseWriter, r *http.Request, status int, v any) {
	data, err := cbor.Marshal(v)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(status)
	_, _ = w.Write(append(append([]byte{}, selfDescribeTag...), data...))
}

// writeError answers an *Error with its status and a plain-text message
// (agents show that text to users); anything else is an internal error.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var httpErr *Error
	if !errors.As(err, &httpErr) {
		h.log.Error("internal error", "path", r.URL.Path, "err", err)
		httpErr = errorf(http.StatusInternalServerError, "Internal error: %v", err)
	} else {
		h.log.Debug("refused request", "path", r.URL.Path, "status", httpErr.Status, "message", httpErr.Message)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(httpErr.Status)
	_, _ = io.WriteString(w, httpErr.Message)
}

// parseID parses the textual principal from the URL.
func parseID(kind, text string) (principal.Principal, error) {
	p, err := principal.Decode(text)
	if err != nil {
		return principal.Principal{}, errorf(http.StatusBadRequest, "Could not parse %s id %q from the URL: %v", kind, text, err)
	}
	return p, nil
}
