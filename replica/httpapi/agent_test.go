package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/canistry/canistry/replica/certify"
	"github.com/canistry/canistry/replica/reject"
)

// certBackend is an in-test Backend with real certificates (replica/certify:
// root key, delegated subnet key, node key). Its "canister" echoes the
// argument of every method, except "slow" (done after a delay), "refuse"
// (refused before execution) and "fail" (a rejected query).
type certBackend struct {
	keys      *certify.Keys
	certifier *certify.Certifier
	slow      time.Duration

	mu   sync.Mutex
	tree certify.Tree
	done map[[32]byte]chan struct{}
}

func newCertBackend(t *testing.T, slow time.Duration) *certBackend {
	t.Helper()
	keys, err := certify.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	certifier, err := certify.NewCertifier(keys, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var tree certify.Tree
	for _, e := range keys.SubnetEntries() {
		tree = tree.Set(e.Path, e.Value)
	}
	return &certBackend{keys: keys, certifier: certifier, slow: slow, tree: tree, done: map[[32]byte]chan struct{}{}}
}

func (b *certBackend) RootKey() []byte { return b.keys.RootKeyDER() }
func (b *certBackend) Now() time.Time  { return time.Now() }

func (b *certBackend) Submit(_ context.Context, r *Request) error {
	if r.Method == "refuse" {
		return reject.New(reject.CanisterStopped, "Canister %s is stopped", r.CanisterID)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.done[r.ID]; dup {
		return nil
	}
	done := make(chan struct{})
	b.done[r.ID] = done
	reply := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.tree = b.tree.
			Set(certify.Path{[]byte("request_status"), r.ID[:], []byte("status")}, []byte("replied")).
			Set(certify.Path{[]byte("request_status"), r.ID[:], []byte("reply")}, r.Arg)
		close(done)
	}
	if r.Method == "slow" {
		time.AfterFunc(b.slow, reply)
		return nil
	}
	go reply()
	return nil
}

func (b *certBackend) Await(ctx context.Context, r *Request) ([]byte, error) {
	b.mu.Lock()
	done := b.done[r.ID]
	b.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ErrNotDone
	}
	return b.certificate([][][]byte{{[]byte("request_status"), r.ID[:]}})
}

func (b *certBackend) Query(_ context.Context, r *Request) ([]byte, error) {
	if r.Method == "fail" {
		return nil, reject.FromCanister(r.CanisterID.String(), reject.CanisterCalledTrap, "Canister called `ic0.trap` with message: 'fail'")
	}
	return r.Arg, nil
}

func (b *certBackend) ReadState(_ context.Context, r *Request) ([]byte, error) {
	return b.certificate(r.Paths)
}

func (b *certBackend) SignQueryResponse(hash [32]byte) (principal.Principal, []byte) {
	return b.keys.NodeID(), b.keys.SignQueryResponse(hash[:])
}

func (b *certBackend) certificate(paths [][][]byte) ([]byte, error) {
	b.mu.Lock()
	tree := b.tree
	b.mu.Unlock()
	certified, err := b.certifier.Certify(tree, time.Now())
	if err != nil {
		return nil, err
	}
	ps := make([]certify.Path, len(paths))
	for i, p := range paths {
		ps[i] = certify.Path(p)
	}
	return certified.Certificate(ps)
}

// statusLog records the status code of every response by endpoint.
type statusLog struct {
	mu    sync.Mutex
	codes []string
}

func (l *statusLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		parts := strings.Split(r.URL.Path, "/")
		l.mu.Lock()
		defer l.mu.Unlock()
		l.codes = append(l.codes, fmt.Sprintf("%s %s %d", parts[2], parts[len(parts)-1], rec.code))
	})
}

func (l *statusLog) contains(entry string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.codes {
		if c == entry {
			return true
		}
	}
	return false
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// startReplica serves a certBackend and returns an unmodified agent-go
// agent for it (FetchRootKey, query signature verification on).
func startReplica(t *testing.T, id identity.Identity, cfg Config, slow time.Duration, opts ...agent.ClientOption) (*agent.Agent, *certBackend, *statusLog) {
	t.Helper()
	b := newCertBackend(t, slow)
	log := &statusLog{}
	srv := httptest.NewServer(log.wrap(NewHandler(b, cfg, nil)))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Config{
		Identity:     id,
		FetchRootKey: true,
		ClientConfig: append([]agent.ClientOption{agent.WithHostURL(u)}, opts...),
		PollDelay:    50 * time.Millisecond,
		PollTimeout:  10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, b, log
}

func TestAgentGoEndToEnd(t *testing.T) {
	ed, _ := ed25519Identity(t)
	secp, err := identity.NewRandomSecp256k1Identity()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []struct {
		name string
		id   identity.Identity
	}{{"ed25519", ed}, {"secp256k1", secp}, {"anonymous", identity.AnonymousIdentity{}}} {
		t.Run(id.name, func(t *testing.T) {
			a, b, log := startReplica(t, id.id, Config{SyncCallTimeout: 200 * time.Millisecond}, 400*time.Millisecond)
			if string(a.GetRootKey()) != string(b.keys.RootKeyDER()) {
				t.Fatal("agent did not fetch the root key from /api/v2/status")
			}
			t.Run("v4 sync call", func(t *testing.T) {
				var out string
				if err := a.Call(testCanister, "echo", []any{"hello"}, []any{&out}); err != nil {
					t.Fatal(err)
				}
				if out != "hello" || !log.contains("v4 call 200") {
					t.Fatalf("got %q, log %v", out, log.codes)
				}
			})
			t.Run("v4 call answered 202 then polled", func(t *testing.T) {
				var out string
				if err := a.Call(testCanister, "slow", []any{"later"}, []any{&out}); err != nil {
					t.Fatal(err)
				}
				if out != "later" || !log.contains("v4 call 202") || !log.contains("v3 read_state 200") {
					t.Fatalf("got %q, log %v", out, log.codes)
				}
			})
			t.Run("non-replicated rejection", func(t *testing.T) {
				err := a.Call(testCanister, "refuse", []any{"x"}, []any{new(string)})
				if err == nil || !strings.Contains(err.Error(), "is stopped") {
					t.Fatalf("got %v, want the reject", err)
				}
			})
			t.Run("verified query", func(t *testing.T) {
				var out string
				if err := a.Query(testCanister, "echo", []any{"query"}, []any{&out}); err != nil {
					t.Fatal(err)
				}
				if out != "query" {
					t.Fatalf("got %q", out)
				}
			})
			t.Run("verified query reject", func(t *testing.T) {
				err := a.Query(testCanister, "fail", []any{"x"}, []any{new(string)})
				if err == nil || !strings.Contains(err.Error(), "ic0.trap") {
					t.Fatalf("got %v, want the verified reject", err)
				}
			})
			t.Run("certified time", func(t *testing.T) {
				now, err := a.GetTime(testCanister)
				if err != nil {
					t.Fatal(err)
				}
				if d := time.Since(now); d < -time.Second || d > 5*time.Second {
					t.Fatalf("certified time off by %v", d)
				}
			})
		})
	}
}

// TestAgentGoLegacyAPI drives the v3 call and v2 read_state endpoints.
func TestAgentGoLegacyAPI(t *testing.T) {
	ed, _ := ed25519Identity(t)
	a, _, log := startReplica(t, ed, Config{SyncCallTimeout: 100 * time.Millisecond}, 400*time.Millisecond, agent.WithLegacyAPI())
	for _, method := range []string{"echo", "slow"} {
		var out string
		if err := a.Call(testCanister, method, []any{method}, []any{&out}); err != nil {
			t.Fatal(err)
		}
		if out != method {
			t.Fatalf("got %q", out)
		}
	}
	if !log.contains("v3 call 200") || !log.contains("v3 call 202") || !log.contains("v2 read_state 200") {
		t.Fatalf("log %v", log.codes)
	}
}
