package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
)

// FuzzGatewayRequest sends the gateway's handler arbitrary requests —
// paths, content types, the routing and delegation headers, bodies,
// compressed or not — with no adapter and no IC behind it: each is
// answered (never a panic), and never with a 5xx, since nothing here is the
// gateway's fault.
func FuzzGatewayRequest(f *testing.F) {
	h, err := host.Start(context.Background(), host.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(h.Close)
	g, err := gateway.New(gateway.Config{Host: h, IC: unreachableIC{}, Users: unreachableUsers(f),
		Limits: gateway.Limits{MaxMessageBytes: 64 << 10}})
	if err != nil {
		f.Fatal(err)
	}
	handler := g.Handler()
	types := []string{"application/json", "application/proto", "application/grpc", "application/grpc+json",
		"application/grpc-web+proto", "text/plain", ""}
	f.Add(putPath, uint8(0), "rrkah-fqaaa-aaaaa-aaaaq-cai", "", []byte(`{"key":"k","content":"aGk="}`), false)
	f.Add(putPath, uint8(2), "not-a-principal", "e30", []byte{0, 0, 0, 0, 2, 10, 0}, false)
	f.Add("/canistry.session.v1.SessionService/GetGatewayKey", uint8(0), "", "", []byte("{}"), false)
	f.Add("/canistry.personal.v1.PersonalService/Describe", uint8(1), "aaaaa-aa", "%%%", []byte{}, true)
	f.Add("/grpc.health.v1.Health/Check", uint8(3), "", "", []byte{0, 0, 0, 0, 0}, false)
	f.Add("/canistry.platform.v1.StoreService/ListApps", uint8(0), "", "e30", []byte("{}"), false)
	f.Add("/canistry.platform.v1.PublisherService/UploadRelease", uint8(2), "", "", []byte{0, 0, 0, 0, 2, 18, 0}, true)
	f.Fuzz(func(t *testing.T, path string, ct uint8, canister, delegation string, body []byte, gzipped bool) {
		if len(path) == 0 || path[0] != '/' {
			path = "/" + path
		}
		req := httptest.NewRequest(http.MethodPost, "http://gateway.test/", bytes.NewReader(body))
		req.URL.Path = path
		req.Header.Set("Content-Type", types[int(ct)%len(types)])
		req.Header.Set("Canistry-Canister", canister)
		req.Header.Set("Canistry-Delegation", delegation)
		if gzipped {
			req.Header.Set("Content-Encoding", "gzip")
			req.Header.Set("Grpc-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q answered HTTP %d: %s", path, types[int(ct)%len(types)], rec.Code, rec.Body.Bytes())
		}
	})
}
