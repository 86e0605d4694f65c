package httpapi

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/canistry/canistry/replica/reject"
	"github.com/fxamacker/cbor/v2"
	"github.com/google/go-cmp/cmp"
)

var (
	callPath  = "/api/v3/canister/" + testCanister.String() + "/call"
	queryPath = "/api/v2/canister/" + testCanister.String() + "/query"
	statePath = "/api/v3/canister/" + testCanister.String() + "/read_state"
)

// TestRequestChecks drives the handler with envelopes that each break one
// rule and checks the IC's status code and message.
func TestRequestChecks(t *testing.T) {
	ed, _ := ed25519Identity(t)
	anon := identity.AnonymousIdentity{}
	withExpiry := func(typ string, id identity.Identity, expiry time.Time) []byte {
		req := newRequest(typ, id.Sender())
		req.IngressExpiry = uint64(expiry.UnixNano())
		return signedEnvelope(t, id, req)
	}
	withReq := func(typ string, id identity.Identity, mutate func(*agent.Request)) []byte {
		req := newRequest(typ, id.Sender())
		mutate(&req)
		return signedEnvelope(t, id, req)
	}
	manyPaths := make([][]hashtree.Label, maxReadStatePaths+1)
	for i := range manyPaths {
		manyPaths[i] = []hashtree.Label{hashtree.Label("time")}
	}
	longPath := make([]hashtree.Label, maxPathLabels+1)
	for i := range longPath {
		longPath[i] = hashtree.Label("x")
	}
	tests := []struct {
		name        string
		path        string
		contentType string
		body        []byte
		status      int
		message     string // the body must contain it (for errors)
	}{
		{"valid call", callPath, "application/cbor", signedEnvelope(t, ed, newRequest("call", ed.Sender())), http.StatusOK, ""},
		{"tagged CBOR", callPath, "application/cbor", append(bytes.Clone(selfDescribeTag), signedEnvelope(t, ed, newRequest("call", ed.Sender()))...), http.StatusOK, ""},
		{"content type with parameters", callPath, "application/cbor; charset=binary", signedEnvelope(t, ed, newRequest("call", ed.Sender())), http.StatusOK, ""},
		{"wrong content type", callPath, "application/json", signedEnvelope(t, ed, newRequest("call", ed.Sender())), http.StatusBadRequest, "Unexpected content-type"},
		{"no content type", callPath, "", signedEnvelope(t, ed, newRequest("call", ed.Sender())), http.StatusBadRequest, "Unexpected content-type"},
		{"malformed CBOR", callPath, "application/cbor", []byte{0xa1, 0x67, 'c', 'o'}, http.StatusBadRequest, "Could not parse body"},
		{"not a map", callPath, "application/cbor", []byte{0x01}, http.StatusBadRequest, "Could not parse body"},
		{"no content", callPath, "application/cbor", mustCBOR(t, map[string]any{"sender_sig": []byte{1}}), http.StatusBadRequest, "missing field `content`"},
		{"wrong request type", callPath, "application/cbor", signedEnvelope(t, ed, newRequest("query", ed.Sender())), http.StatusBadRequest, `request_type is "query", expected "call"`},
		{"missing field", callPath, "application/cbor", withReq("call", ed, func(r *agent.Request) { r.IngressExpiry = 0 }), http.StatusBadRequest, "missing field `ingress_expiry`"},
		{"wrong field type", callPath, "application/cbor", mustCBOR(t, map[string]any{"content": map[string]any{"request_type": "call", "sender": "text"}}), http.StatusBadRequest, "Could not parse body as call content"},
		{"malformed ecid", "/api/v3/canister/not-a-principal/call", "application/cbor", signedEnvelope(t, ed, newRequest("call", ed.Sender())), http.StatusBadRequest, "Could not parse effective canister id"},
		{"ecid mismatch", "/api/v3/canister/" + otherCanister.String() + "/call", "application/cbor", signedEnvelope(t, ed, newRequest("call", ed.Sender())), http.StatusBadRequest, "does not match effective canister id"},
		{"management canister with any ecid", "/api/v3/canister/" + otherCanister.String() + "/call", "application/cbor",
			withReq("call", ed, func(r *agent.Request) { r.CanisterID = principal.Principal{Raw: []byte{}} }), http.StatusOK, ""},
		{"expired", callPath, "application/cbor", withExpiry("call", ed, testNow.Add(-time.Second)), http.StatusBadRequest, "Invalid request expiry: Specified ingress_expiry not within expected range"},
		{"too far in the future", callPath, "application/cbor", withExpiry("call", ed, testNow.Add(5*time.Minute+31*time.Second)), http.StatusBadRequest, "Invalid request expiry: "},
		{"at the far edge", callPath, "application/cbor", withExpiry("call", ed, testNow.Add(5*time.Minute+30*time.Second)), http.StatusOK, ""},
		{"expired anonymous call", callPath, "application/cbor", withExpiry("call", anon, testNow.Add(-time.Hour)), http.StatusBadRequest, "Invalid request expiry: "},
		{"expired anonymous query", queryPath, "application/cbor", withExpiry("query", anon, testNow.Add(-time.Hour)), http.StatusOK, ""},
		{"expired anonymous read_state", statePath, "application/cbor", withExpiry("read_state", anon, testNow.Add(-time.Hour)), http.StatusOK, ""},
		{"expired signed query", queryPath, "application/cbor", withExpiry("query", ed, testNow.Add(-time.Hour)), http.StatusBadRequest, "Invalid request expiry: "},
		{"long nonce", callPath, "application/cbor", withReq("call", ed, func(r *agent.Request) { r.Nonce = make([]byte, 33) }), http.StatusBadRequest, "Invalid nonce"},
		{"too many paths", statePath, "application/cbor", withReq("read_state", ed, func(r *agent.Request) { r.Paths = manyPaths }), http.StatusBadRequest, "Too many paths"},
		{"path too long", statePath, "application/cbor", withReq("read_state", ed, func(r *agent.Request) { r.Paths = [][]hashtree.Label{longPath} }), http.StatusBadRequest, "Path too long"},
		{"tampered signature", callPath, "application/cbor", tamper(t, signedEnvelope(t, ed, newRequest("call", ed.Sender()))), http.StatusBadRequest, "Invalid signature"},
		{"oversize ingress", callPath, "application/cbor", withReq("call", ed, func(r *agent.Request) { r.Arguments = make([]byte, 1<<20+1) }), http.StatusRequestEntityTooLarge, "is too large"},
		{"oversize body", queryPath, "application/cbor", withReq("query", ed, func(r *agent.Request) { r.Arguments = make([]byte, 3<<20) }), http.StatusRequestEntityTooLarge, "larger than the maximum"},
		{"subnet read_state", "/api/v2/subnet/" + otherCanister.String() + "/read_state", "application/cbor", signedEnvelope(t, ed, newRequest("read_state", ed.Sender())), http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(newStubBackend(), Config{MaxBodyBytes: 2 << 20, MaxIngressBytes: 1 << 20}, nil)
			rec := post(t, h, tt.path, tt.contentType, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.message != "" && !strings.Contains(rec.Body.String(), tt.message) {
				t.Fatalf("body %q does not contain %q", rec.Body, tt.message)
			}
			if tt.status >= 400 && rec.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Fatal("error responses must carry CORS headers too")
			}
		})
	}
}

// TestRequestPassedToBackend checks every field of the Request the
// backend receives.
func TestRequestPassedToBackend(t *testing.T) {
	ed, _ := ed25519Identity(t)
	b := newStubBackend()
	h := NewHandler(b, Config{}, nil)
	req := newRequest("call", ed.Sender())
	rec := post(t, h, "/api/v4/canister/"+testCanister.String()+"/call", "application/cbor", signedEnvelope(t, ed, req))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := b.last()
	want := &Request{
		Type: "call", ID: agent.NewRequestID(req), Sender: ed.Sender(), CanisterID: testCanister,
		EffectiveCanisterID: testCanister, Method: "greet", Arg: req.Arguments, Nonce: req.Nonce,
		IngressExpiry: req.IngressExpiry,
	}
	if got.Type != want.Type || got.ID != want.ID || !got.Sender.Equal(want.Sender) ||
		!got.CanisterID.Equal(want.CanisterID) || !got.EffectiveCanisterID.Equal(want.EffectiveCanisterID) ||
		got.Method != want.Method || !bytes.Equal(got.Arg, want.Arg) || !bytes.Equal(got.Nonce, want.Nonce) ||
		got.IngressExpiry != want.IngressExpiry || got.SubnetID != nil || got.Targets != nil {
		t.Fatalf("backend got %+v, want %+v", got, want)
	}

	rec = post(t, h, "/api/v2/subnet/"+otherCanister.String()+"/read_state", "application/cbor", signedEnvelope(t, ed, newRequest("read_state", ed.Sender())))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := b.last(); got.SubnetID == nil || !got.SubnetID.Equal(otherCanister) || len(got.Paths) != 1 || string(got.Paths[0][0]) != "time" {
		t.Fatalf("subnet read_state got %+v", got)
	}
}

func TestCallResponses(t *testing.T) {
	ed, _ := ed25519Identity(t)
	refused := reject.New(reject.CanisterStopped, "Canister %s is stopped", testCanister)
	tests := []struct {
		name      string
		version   string
		submitErr error
		awaitErr  error
		status    int
		want      map[string]any // decoded CBOR body; nil = empty body
	}{
		{"v2 accepted", "v2", nil, nil, http.StatusAccepted, nil},
		{"v2 rejected", "v2", refused, nil, http.StatusOK, map[string]any{"reject_code": uint64(5), "reject_message": refused.Message, "error_code": "IC0508"}},
		{"v3 replied", "v3", nil, nil, http.StatusOK, map[string]any{"status": "replied", "certificate": []byte("cert")}},
		{"v4 replied", "v4", nil, nil, http.StatusOK, map[string]any{"status": "replied", "certificate": []byte("cert")}},
		{"v3 non-replicated rejection", "v3", refused, nil, http.StatusOK, map[string]any{"status": "non_replicated_rejection", "reject_code": uint64(5), "reject_message": refused.Message, "error_code": "IC0508"}},
		{"v4 not done", "v4", nil, ErrNotDone, http.StatusAccepted, nil},
		{"http error from submit", "v3", &Error{Status: http.StatusServiceUnavailable, Message: "replica is starting"}, nil, http.StatusServiceUnavailable, nil},
		{"internal error from await", "v3", nil, errors.New("disk full"), http.StatusInternalServerError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newStubBackend()
			b.submitErr, b.awaitErr = tt.submitErr, tt.awaitErr
			h := NewHandler(b, Config{}, slog.New(slog.DiscardHandler))
			rec := post(t, h, "/api/"+tt.version+"/canister/"+testCanister.String()+"/call", "application/cbor", signedEnvelope(t, ed, newRequest("call", ed.Sender())))
			if rec.Code != tt.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.want == nil {
				if rec.Code == http.StatusAccepted && rec.Body.Len() != 0 {
					t.Fatalf("202 with body %q", rec.Body)
				}
				return
			}
			var got map[string]any
			decodeResponse(t, rec, &got)
			assertMapEqual(t, got, tt.want)
		})
	}
}

// TestSyncCallTimeout: Await gets a context that ends after
// SyncCallTimeout, and a backend that returns the context error gets 202.
func TestSyncCallTimeout(t *testing.T) {
	ed, _ := ed25519Identity(t)
	b := &blockingBackend{stubBackend: newStubBackend()}
	h := NewHandler(b, Config{SyncCallTimeout: 50 * time.Millisecond}, nil)
	start := time.Now()
	rec := post(t, h, callPath, "application/cbor", signedEnvelope(t, ed, newRequest("call", ed.Sender())))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d (%s), want 202", rec.Code, rec.Body)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Fatalf("answered after %v, want about 50ms", d)
	}
}

type blockingBackend struct{ *stubBackend }

func (b *blockingBackend) Await(ctx context.Context, _ *Request) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestQueryResponses(t *testing.T) {
	ed, _ := ed25519Identity(t)
	tests := []struct {
		name     string
		queryErr error
		want     map[string]any
	}{
		{"replied", nil, map[string]any{"status": "replied", "reply": map[any]any{"arg": []byte("reply")}}},
		{"rejected", reject.Explicit("no such greeting"), map[string]any{"status": "rejected", "reject_code": uint64(4), "reject_message": "no such greeting", "error_code": "IC0406"}},
		{"rejected with empty message", reject.Explicit(""), map[string]any{"status": "rejected", "reject_code": uint64(4), "reject_message": "", "error_code": "IC0406"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newStubBackend()
			b.queryErr = tt.queryErr
			h := NewHandler(b, Config{}, nil)
			req := newRequest("query", ed.Sender())
			rec := post(t, h, queryPath, "application/cbor", signedEnvelope(t, ed, req))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var got map[string]any
			decodeResponse(t, rec, &got)
			sigs := got["signatures"]
			delete(got, "signatures")
			assertMapEqual(t, got, tt.want)
			verifyQuerySignature(t, rec.Body.Bytes(), agent.NewRequestID(req), b.nodeKey.Public().(ed25519.PublicKey))
			if sigs == nil {
				t.Fatal("no signatures")
			}
		})
	}
}

// verifyQuerySignature checks the node signature the way agent-go's
// query.go does, using agent-go's response type and hashing.
func verifyQuerySignature(t *testing.T, body []byte, rid agent.RequestID, nodeKey ed25519.PublicKey) {
	t.Helper()
	var resp agent.Response
	if err := cbor.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Signatures) != 1 {
		t.Fatalf("%d signatures, want 1", len(resp.Signatures))
	}
	sig := resp.Signatures[0]
	if sig.Timestamp != testNow.UnixNano() {
		t.Fatalf("timestamp %d, want backend Now %d", sig.Timestamp, testNow.UnixNano())
	}
	if !sig.Identity.Equal(principal.NewSelfAuthenticating(nodeKey)) {
		t.Fatalf("identity %s is not the node", sig.Identity)
	}
	fields := []certification.KeyValuePair{{Key: "status", Value: resp.Status}}
	if resp.Status == "replied" {
		fields = append(fields, certification.KeyValuePair{Key: "reply", Value: resp.Reply})
	} else {
		fields = append(fields,
			certification.KeyValuePair{Key: "reject_code", Value: resp.RejectCode},
			certification.KeyValuePair{Key: "reject_message", Value: resp.RejectMsg},
			certification.KeyValuePair{Key: "error_code", Value: resp.ErrorCode})
	}
	fields = append(fields,
		certification.KeyValuePair{Key: "timestamp", Value: sig.Timestamp},
		certification.KeyValuePair{Key: "request_id", Value: rid[:]})
	hash, err := certification.RepresentationIndependentHash(fields)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(nodeKey, append([]byte("\x0Bic-response"), hash[:]...), sig.Signature) {
		t.Fatal("query response signature does not verify")
	}
}

func TestRouting(t *testing.T) {
	h := NewHandler(newStubBackend(), Config{}, nil)
	cid := testCanister.String()
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/v2/status", http.StatusOK},
		{http.MethodPost, "/api/v2/status", http.StatusMethodNotAllowed},
		{http.MethodGet, "/api/v3/canister/" + cid + "/call", http.StatusMethodNotAllowed},
		{http.MethodOptions, "/api/v3/canister/" + cid + "/call", http.StatusNoContent},
		{http.MethodOptions, "/anything", http.StatusNoContent},
		{http.MethodGet, "/api/v1/status", http.StatusNotFound},
		{http.MethodPost, "/api/v4/canister/" + cid + "/query", http.StatusNotFound},
		{http.MethodPost, "/api/v4/canister/" + cid + "/read_state", http.StatusNotFound},
		{http.MethodPost, "/api/v3/subnet/" + cid + "/call", http.StatusNotFound},
		{http.MethodPost, "/api/v2/canister//call", http.StatusNotFound},
		{http.MethodPost, "/api/v2/canister/" + cid + "/call/extra", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Access-Control-Request-Headers", "content-type, x-custom")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tt.status)
			}
			hdr := rec.Header()
			if hdr.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(hdr.Get("Access-Control-Allow-Methods"), "POST") ||
				hdr.Get("Access-Control-Allow-Headers") != "content-type, x-custom" {
				t.Fatalf("CORS headers missing: %v", hdr)
			}
		})
	}
}

// TestV3CallPathsAreNeverNotFound: agent-js silently falls back to v2 on a
// 404 from a v3 call path, so even bad requests there must not be 404.
func TestV3CallPathsAreNeverNotFound(t *testing.T) {
	h := NewHandler(newStubBackend(), Config{}, nil)
	for _, ecid := range []string{testCanister.String(), "aaaaa-aa", "garbage"} {
		rec := post(t, h, "/api/v3/canister/"+ecid+"/call", "application/cbor", []byte{0xff})
		if rec.Code == http.StatusNotFound {
			t.Fatalf("v3 call for %s answered 404", ecid)
		}
	}
}

func TestStatus(t *testing.T) {
	h := NewHandler(newStubBackend(), Config{}, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v2/status", nil))
	var got map[string]any
	decodeResponse(t, rec, &got)
	assertMapEqual(t, got, map[string]any{
		"root_key": []byte("root key"), "impl_version": implVersion,
		"replica_health_status": "healthy", "ic_api_version": icAPIVersion,
	})
}

func assertMapEqual(t *testing.T, got, want map[string]any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("response mismatch (-want +got):\n%s", diff)
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tamper flips the last byte of the envelope's sender_sig.
func tamper(t *testing.T, body []byte) []byte {
	env := envelopeMap(t, body)
	flipLastByte(env["sender_sig"])
	return mustCBOR(t, env)
}
