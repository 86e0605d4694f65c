package certify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// e2eReplica is the thinnest HTTP front that lets an unmodified agent-go Agent exercise this
// package: /api/v2/status (root key), read_state (certificates for the requested paths) and a
// query endpoint whose reply is signed with the node key.
type e2eReplica struct {
	t         *testing.T
	keys      *Keys
	certified *Certified
}

type e2eContent struct {
	RequestType   string     `cbor:"request_type"`
	Sender        []byte     `cbor:"sender"`
	Nonce         []byte     `cbor:"nonce"`
	IngressExpiry uint64     `cbor:"ingress_expiry"`
	CanisterID    []byte     `cbor:"canister_id"`
	MethodName    string     `cbor:"method_name"`
	Arg           []byte     `cbor:"arg"`
	Paths         [][][]byte `cbor:"paths"`
}

func (r *e2eReplica) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var (
		body any
		err  error
	)
	switch {
	case req.URL.Path == "/api/v2/status":
		body = map[string]any{"root_key": r.keys.RootKeyDER()}
	case strings.HasSuffix(req.URL.Path, "/read_state"):
		body, err = r.readState(req)
	case strings.HasSuffix(req.URL.Path, "/query"):
		body, err = r.query(req)
	default:
		http.NotFound(w, req)
		return
	}
	if err != nil {
		r.t.Errorf("%s: %v", req.URL.Path, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, err := cbor.Marshal(cbor.Tag{Number: selfDescribeTag, Content: body})
	if err != nil {
		r.t.Errorf("encode response: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(out)
}

func decodeEnvelope(req *http.Request) (e2eContent, error) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return e2eContent{}, err
	}
	var envelope struct {
		Content e2eContent `cbor:"content"`
	}
	err = cbor.Unmarshal(raw, &envelope)
	return envelope.Content, err
}

func (r *e2eReplica) readState(req *http.Request) (any, error) {
	content, err := decodeEnvelope(req)
	if err != nil {
		return nil, err
	}
	paths := make([]Path, len(content.Paths))
	for i, p := range content.Paths {
		paths[i] = p
	}
	cert, err := r.certified.Certificate(paths)
	return map[string]any{"certificate": cert}, err
}

func (r *e2eReplica) query(req *http.Request) (any, error) {
	content, err := decodeEnvelope(req)
	if err != nil {
		return nil, err
	}
	rid := agent.NewRequestID(agent.Request{
		Type: agent.RequestType(content.RequestType), Sender: principal.Principal{Raw: content.Sender},
		Nonce: content.Nonce, IngressExpiry: content.IngressExpiry, CanisterID: principal.Principal{Raw: content.CanisterID},
		MethodName: content.MethodName, Arguments: content.Arg,
	})
	arg, err := candid.Marshal([]any{"hello " + content.MethodName})
	if err != nil {
		return nil, err
	}
	timestamp := uint64(time.Now().UnixNano())
	hash, err := certification.RepresentationIndependentHash([]certification.KeyValuePair{
		{Key: "status", Value: "replied"},
		{Key: "reply", Value: map[string]any{"arg": arg}},
		{Key: "timestamp", Value: timestamp},
		{Key: "request_id", Value: rid[:]},
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"status": "replied",
		"reply":  map[string]any{"arg": arg},
		"signatures": []any{map[string]any{
			"timestamp": timestamp,
			"signature": r.keys.SignQueryResponse(hash[:]),
			"identity":  r.keys.NodeID().Raw,
		}},
	}, nil
}

// TestAgentGoEndToEnd drives an unmodified agent-go Agent (FetchRootKey, default verification
// including signed-query verification) against certificates and signatures made here.
func TestAgentGoEndToEnd(t *testing.T) {
	k := newTestKeys(t)
	now := time.Now()
	c, err := NewCertifier(k, now)
	if err != nil {
		t.Fatal(err)
	}
	certified, err := c.Certify(replicaState(k), now)
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(&e2eReplica{t: t, keys: k, certified: certified})
	defer server.Close()
	host, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Config{FetchRootKey: true, ClientConfig: []agent.ClientOption{agent.WithHostURL(host)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ecid := range []string{"rrkah-fqaaa-aaaaa-aaaaq-cai", "aaaaa-aa"} {
		canister := principal.MustDecode(ecid)
		got, err := a.GetTime(canister)
		if err != nil {
			t.Fatalf("GetTime(%s): %v", ecid, err)
		}
		if !got.Equal(time.Unix(0, now.UnixNano())) {
			t.Fatalf("GetTime = %v; want %v", got, now)
		}
	}
	var greeting string
	if err := a.Query(principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai"), "greet", nil, []any{&greeting}); err != nil {
		t.Fatalf("signed query rejected by agent-go: %v", err)
	}
	if greeting != "hello greet" {
		t.Fatalf("query reply = %q", greeting)
	}
}
