package gateway_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
	"github.com/canistry/canistry/internal/testwait"
)

// unreachableIC answers every call with an error: the limits act before a
// request would reach it.
type unreachableIC struct{}

var errUnreachable = errors.New("test: no IC behind this gateway")

func (unreachableIC) Query(context.Context, principal.Principal, string, []byte) ([]byte, error) {
	return nil, errUnreachable
}
func (unreachableIC) Call(context.Context, principal.Principal, string, []byte) ([]byte, error) {
	return nil, errUnreachable
}
func (unreachableIC) CanisterInfo(context.Context, principal.Principal) (ic.CanisterInfo, error) {
	return ic.CanisterInfo{}, errUnreachable
}

// limitedGateway serves a gateway with no adapters and no IC under l.
func limitedGateway(t *testing.T, l gateway.Limits) string {
	t.Helper()
	h, err := host.Start(context.Background(), host.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	g, err := gateway.New(gateway.Config{Host: h, IC: unreachableIC{}, Users: unreachableUsers(t), Limits: l})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, g)
}

// unreachableUsers sends users' calls nowhere (a closed port); the limits
// act before any call.
func unreachableUsers(t testing.TB) *delegated.Sender {
	t.Helper()
	pool, err := ic.NewPool(ic.Config{URL: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	c, err := pool.For(key)
	if err != nil {
		t.Fatal(err)
	}
	return delegated.NewSender(c, key)
}

const putPath = "/canistry.personal.v1.PersonalService/PutDocument"

// connectCode reads the code of a Connect unary JSON error answer.
func connectCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	for _, code := range []string{"resource_exhausted", "invalid_argument", "unavailable", "unauthenticated", "not_found", "failed_precondition"} {
		if strings.Contains(string(body), `"code":"`+code+`"`) {
			return code
		}
	}
	return fmt.Sprintf("HTTP %d %s", resp.StatusCode, body)
}

// TestGzipBombIsNotInflated: 300 MiB of zeros compressed to a few hundred
// KB is refused once the inflated message passes the limit; the gateway
// allocates about the limit, not the bomb.
func TestGzipBombIsNotInflated(t *testing.T) {
	url := limitedGateway(t, gateway.Limits{})
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 300 {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	t.Logf("bomb: %d bytes compressed, 300 MiB inflated", bomb.Len())

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	req, _ := http.NewRequest(http.MethodPost, url+putPath, bytes.NewReader(bomb.Bytes()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Canistry-Canister", "rrkah-fqaaa-aaaaa-aaaaq-cai")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if code := connectCode(t, resp); code != "resource_exhausted" {
		t.Errorf("gzip bomb answered %s, want resource_exhausted", code)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("serving the bomb allocated %d MiB", grew>>20)
	} else {
		t.Logf("serving the bomb allocated %.1f MiB", float64(grew)/(1<<20))
	}
}

// zeroReader is an endless body of zeros, made as it is read.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestLargeBodiesAreRefused: a 100 MB body is refused, with or without a
// Content-Length, in the Connect protocol and in gRPC.
func TestLargeBodiesAreRefused(t *testing.T) {
	url := limitedGateway(t, gateway.Limits{})
	for name, length := range map[string]int64{"declared": 100 << 20, "chunked": -1} {
		body := io.LimitReader(zeroReader{}, 100<<20)
		req, _ := http.NewRequest(http.MethodPost, url+putPath, body)
		req.ContentLength = length
		req.Header.Set("Content-Type", "application/proto")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if code := connectCode(t, resp); code != "resource_exhausted" {
			t.Errorf("%s 100 MB body answered %s, want resource_exhausted", name, code)
		}
		resp.Body.Close()
	}
	client := personalv1connect.NewPersonalServiceClient(http.DefaultClient, url, connect.WithGRPC())
	_, err := client.PutDocument(context.Background(), connect.NewRequest(&personalv1.PutDocumentRequest{
		Key: "k", Content: make([]byte, 10<<20),
	}))
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("a 10 MiB gRPC message = %v, want resource_exhausted", err)
	}
}

// TestSlowAndIdleConnectionsAreClosed: a body trickling in is cut off at
// the read timeout (answered deadline_exceeded; the connection then ends
// at the header timeout if the client keeps trickling), an idle
// keep-alive connection is closed at the idle timeout.
func TestSlowAndIdleConnectionsAreClosed(t *testing.T) {
	url := limitedGateway(t, gateway.Limits{ReadTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	addr := strings.TrimPrefix(url, "http://")

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", putPath)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a byte each 50 ms: the body would take 50 s
		trickle := time.NewTicker(50 * time.Millisecond)
		defer trickle.Stop()
		for {
			select {
			case <-stop:
				return
			case <-trickle.C:
				if _, err := slow.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	_ = slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, err := http.ReadResponse(bufio.NewReader(slow), nil)
	if err != nil {
		t.Fatalf("a body sent a byte per 50 ms got no answer: %v", err)
	}
	if answer.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("a slow body answered HTTP %d, want 504 (deadline_exceeded) at the read timeout", answer.StatusCode)
	}

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err == nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		t.Errorf("an idle keep-alive connection stayed open: %v", err)
	}
}

// holdSlot starts a request that keeps the gateway's only slot until the
// returned connection is closed. It asks for "100 Continue", which the
// server sends when the handler, past the limiter, first reads the body:
// then the slot is surely taken. A try that another request beat to the
// slot is answered 429 without the 100, and is made again.
func holdSlot(t *testing.T, url string) net.Conn {
	t.Helper()
	var held net.Conn
	testwait.For(t, 10*time.Second, "a request holds the only slot", func() bool {
		c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n", putPath)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		status, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.Contains(status, " 100 ") {
			c.Close()
			return false
		}
		_ = c.SetReadDeadline(time.Time{})
		fmt.Fprint(c, "{") // and the other 99 bytes never come
		held = c
		return true
	})
	t.Cleanup(func() { held.Close() })
	return held
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestLoadIsShed: past MaxConcurrent requests in flight the next is
// answered resource_exhausted at once, and served again once a slot frees.
func TestLoadIsShed(t *testing.T) {
	url := limitedGateway(t, gateway.Limits{MaxConcurrent: 1})
	// A client of its own: http.DefaultClient may hold a kept-alive
	// connection to this port from an earlier test's gateway, and a request
	// whose body is a pipe cannot be retried on a fresh one.
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	held := holdSlot(t, url)
	put := func() string {
		req, _ := http.NewRequest(http.MethodPost, url+putPath, strings.NewReader(`{"key":"k"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		return connectCode(t, resp)
	}
	testwait.For(t, 10*time.Second, "a second request is shed while the first holds the only slot", func() bool {
		return put() == "resource_exhausted"
	})
	_ = held.Close()
	testwait.For(t, 10*time.Second, "requests are served again once the slot frees", func() bool {
		return put() != "resource_exhausted"
	})
}
