package dashboard_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/canistry/canistry/gateway/dashboard"
)

func TestServesItsFilesOnly(t *testing.T) {
	srv := httptest.NewServer(dashboard.Handler())
	t.Cleanup(srv.Close)
	get := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	for path, want := range map[string]struct{ contentType, contains string }{
		"/":              {"text/html", `<script src="dashboard.js" defer>`},
		"/dashboard.js":  {"text/javascript", "Connect-Protocol-Version"},
		"/dashboard.css": {"text/css", "#fleet-chart"},
	} {
		resp, body := get(http.MethodGet, path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want.contentType) || !strings.Contains(body, want.contains) {
			t.Errorf("GET %s: %s %s, body without %q", path, resp.Status, resp.Header.Get("Content-Type"), want.contains)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	// Under the gateway's API paths: a service the gateway lacks must
	// read as absent (the page shows "not available on this gateway").
	if resp, _ := get(http.MethodPost, "/canistry.platform.v1.RolloutService/ListRollouts"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST to an absent service: %s; want 404", resp.Status)
	}
	if resp, _ := get(http.MethodPost, "/"); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %s; want 405 allowing GET, HEAD", resp.Status)
	}
	if resp, body := get(http.MethodHead, "/"); resp.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /: %s with %d bytes", resp.Status, len(body))
	}
}
