package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// verifyingAgent is agent-go as a client that checks update certificates
// would use it. agent-go 0.9.2 reads the reply out of a synchronous call's
// certificate without checking the certificate's signature (call.go,
// CallAndWaitWithContext), so this keeps the body of each call response and
// checks its certificate with agent-go's own certification.VerifyCertificate
// after the call: the gateway's update, which verifies, can then be compared
// with a direct call doing the same work.
type verifyingAgent struct {
	*agent.Agent
}

// callBodyKey marks a request context whose call response body is kept.
type callBodyKey struct{}

// keepCallBody copies the body of a call response into the *[]byte its
// request's context carries under callBodyKey.
type keepCallBody struct{ base http.RoundTripper }

func (t keepCallBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	slot, ok := r.Context().Value(callBodyKey{}).(*[]byte)
	if err != nil || !ok || !strings.HasSuffix(r.URL.Path, "/call") {
		return resp, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	*slot = body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func newVerifyingAgent(b *testing.B, d *devProcess) verifyingAgent {
	client := &http.Client{Transport: keepCallBody{base: http.DefaultTransport}}
	return verifyingAgent{devAgent(b, d, agent.WithHttpClient(client))}
}

// call makes the update and then checks the certificate it was answered with.
func (a verifyingAgent) call(ctx context.Context, canister principal.Principal, method string, in, out []any) error {
	req, err := a.CreateCandidAPIRequest(agent.RequestTypeCall, canister, method, in...)
	if err != nil {
		return err
	}
	var body []byte
	if err := req.CallAndWaitWithContext(context.WithValue(ctx, callBodyKey{}, &body), out); err != nil {
		return err
	}
	var resp struct {
		Certificate []byte `cbor:"certificate"`
	}
	if err := cbor.Unmarshal(body, &resp); err != nil || len(resp.Certificate) == 0 {
		return fmt.Errorf("call answered without a certificate (%v)", err)
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(resp.Certificate, &cert); err != nil {
		return err
	}
	return certification.VerifyCertificate(cert, canister, a.GetRootKey())
}
