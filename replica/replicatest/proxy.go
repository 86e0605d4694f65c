package replicatest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards every request to a replica's HTTP interface and lets a
// test stand in for a faulty or malicious node: the rewrite function set
// with SetRewrite sees each 200 answer with its endpoint ("query",
// "call", "read_state", "status"), the request body and the answer body,
// and returns the body to send instead; nil answers 202 Accepted with no
// body, as a busy replica may. Requests are counted by endpoint.
type Proxy struct {
	target  *url.URL
	mu      sync.Mutex
	rewrite func(endpoint string, request, answer []byte) []byte
	counts  sync.Map // endpoint → *atomic.Int64
}

// NewProxy forwards to the replica at target; Serve starts it.
func NewProxy(target *url.URL) *Proxy { return &Proxy{target: target} }

// Serve serves the proxy until the test ends and returns its URL, for
// the client under test to use instead of the replica's.
func (p *Proxy) Serve(t testing.TB) *url.URL {
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// SetRewrite replaces the rewrite function; nil forwards answers as they are.
func (p *Proxy) SetRewrite(f func(endpoint string, request, answer []byte) []byte) {
	p.mu.Lock()
	p.rewrite = f
	p.mu.Unlock()
}

// Count is the number of requests to endpoint so far.
func (p *Proxy) Count(endpoint string) int64 {
	n, ok := p.counts.Load(endpoint)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	endpoint := path.Base(r.URL.Path)
	n, _ := p.counts.LoadOrStore(endpoint, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.target.JoinPath(r.URL.Path).String(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	p.mu.Lock()
	rewrite := p.rewrite
	p.mu.Unlock()
	if rewrite != nil && resp.StatusCode == http.StatusOK {
		if out = rewrite(endpoint, body, out); out == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}
