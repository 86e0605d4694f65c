package gateway_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/client"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// testAdapter builds gateway/host's test adapter (a real go-plugin
// process) once per run.
func testAdapter(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "canistry-gateway-test")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "testadapter"), "./host/hosttest/testadapter").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build testadapter: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "testadapter")
}

// env is a replica, a host with test adapters and a gateway serving h2c.
// id controls and owns the canisters; the gateway has its own key (gw),
// and the clients send a delegation from id to it.
type env struct {
	replica  *replicatest.Replica
	id       identity.Identity
	gw       identity.Identity
	client   *ic.Client
	host     *host.Host
	url      string
	canister map[string]principal.Principal // by protocol version
}

// serve serves g on a free port of 127.0.0.1 until the test ends and
// returns its base URL.
func serve(t testing.TB, g *gateway.Gateway) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = g.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

func newEnv(t testing.TB, adapters []string, versions ...string) *env {
	t.Helper()
	return newEnvTTL(t, 0, adapters, versions...)
}

// newEnvTTL is newEnv with the gateway's negotiation TTL (0: default).
func newEnvTTL(t testing.TB, ttl time.Duration, adapters []string, versions ...string) *env {
	t.Helper()
	return newEnvConfig(t, func(c *gateway.Config) { c.NegotiationTTL = ttl }, adapters, versions...)
}

// newEnvConfig is newEnv with the gateway's Config adjusted by set.
func newEnvConfig(t testing.TB, set func(*gateway.Config), adapters []string, versions ...string) *env {
	t.Helper()
	return newEnvVia(t, nil, set, adapters, versions...)
}

// newEnvVia is newEnvConfig with the gateway reaching the replica through
// proxy (nil: directly), which is pointed at the replica.
func newEnvVia(t testing.TB, proxy func(*url.URL) *url.URL, set func(*gateway.Config), adapters []string, versions ...string) *env {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	id, _ := identity.NewRandomEd25519Identity()
	gw, _ := identity.NewRandomEd25519Identity()
	at := r.URL
	if proxy != nil {
		at = proxy(r.URL)
	}
	pool, err := ic.NewPool(ic.Config{URL: at, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	client, _ := pool.For(gw)
	bin := testAdapter(t)
	data, _ := os.ReadFile(bin)
	sum := sha256.Sum256(data)
	var srcs []host.Source
	for _, n := range adapters {
		srcs = append(srcs, host.Source{Name: n, Path: bin, Args: []string{n}, Checksum: sum[:]})
	}
	health := gateway.NewHealth()
	h, err := host.Start(context.Background(), host.Config{Sources: srcs, OnHealth: health.Set})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	cfg := gateway.Config{Host: h, IC: client, Users: delegated.NewSender(client, gw), Health: health}
	set(&cfg)
	g, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{replica: r, id: id, gw: gw, client: client, host: h, url: serve(t, g), canister: map[string]principal.Principal{}}
	for _, v := range versions {
		e.canister[v] = e.install(t, v)
	}
	return e
}

func (e *env) install(t testing.TB, v string) principal.Principal {
	t.Helper()
	cid, err := personal.CreateRelease(t.Context(), e.replica.Agent(t, e.id), v)
	if err != nil {
		t.Fatalf("install %s: %v", v, err)
	}
	return cid
}

func (e *env) upgrade(t testing.TB, cid principal.Principal, v string) {
	t.Helper()
	if err := personal.UpgradeTo(t.Context(), e.replica.Agent(t, e.id), cid, v); err != nil {
		t.Fatalf("upgrade to %s: %v", v, err)
	}
}

// h2cClient speaks HTTP/2 without TLS, as gRPC needs.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p, MaxIdleConnsPerHost: 64}}
}

// client_ is a client acting as e.id (a delegation to the gateway key for
// every canister).
func (e *env) client_(opts ...connect.ClientOption) personalv1connect.PersonalServiceClient {
	return e.clientAs(e.id, nil, opts...)
}

// clientAs sends a delegation from user to the gateway key, only towards
// targets when not nil, through the SDK's session (it asks the gateway
// for its key, as a client would).
func (e *env) clientAs(user identity.Identity, targets []principal.Principal, opts ...connect.ClientOption) personalv1connect.PersonalServiceClient {
	key, err := client.GatewayKey(context.Background(), h2cClient(), e.url)
	if err != nil {
		panic(err)
	}
	s := client.NewSession(user, key, client.Options{Targets: targets})
	opts = append(opts, connect.WithInterceptors(s.Interceptor()))
	return personalv1connect.NewPersonalServiceClient(h2cClient(), e.url, opts...)
}

// clientWith sends chain (nil: no Canistry-Delegation at all).
func (e *env) clientWith(chain *delegated.Chain, opts ...connect.ClientOption) personalv1connect.PersonalServiceClient {
	header := ""
	if chain != nil {
		var err error
		if header, err = chain.Header(); err != nil {
			panic(err)
		}
	}
	return e.rawClient(header, opts...)
}

// rawClient sends header as Canistry-Delegation (empty: none).
func (e *env) rawClient(header string, opts ...connect.ClientOption) personalv1connect.PersonalServiceClient {
	set := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if header != "" {
				req.Header().Set(gateway.HeaderDelegation, header)
			}
			return next(ctx, req)
		}
	})
	opts = append(opts, connect.WithInterceptors(set))
	return personalv1connect.NewPersonalServiceClient(h2cClient(), e.url, opts...)
}

func to[T any](cid principal.Principal, msg *T) *connect.Request[T] {
	req := connect.NewRequest(msg)
	req.Header().Set(gateway.HeaderCanister, cid.String())
	return req
}

func TestProtocols(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1", "personal2"}, "1.0.0", "2.0.0")
	ctx := context.Background()
	clients := map[string][]connect.ClientOption{
		"connect+proto": nil,
		"connect+json":  {connect.WithProtoJSON()},
		"grpc":          {connect.WithGRPC()},
		"grpc-web":      {connect.WithGRPCWeb()},
		"grpc-web+json": {connect.WithGRPCWeb(), connect.WithProtoJSON()},
	}
	for _, v := range []string{"1.0.0", "2.0.0"} {
		for name, opts := range clients {
			c := e.client_(opts...)
			cid := e.canister[v]
			key := "doc-" + name
			put, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: key, Content: []byte(name)}))
			if err != nil {
				t.Fatalf("%s %s PutDocument: %v", v, name, err)
			}
			if got := put.Header().Get(gateway.HeaderProtocol); got != "personal/"+v {
				t.Errorf("%s %s: Canistry-Protocol = %q", v, name, got)
			}
			got, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: key}))
			if err != nil || string(got.Msg.GetDocument().GetContent()) != name {
				t.Fatalf("%s %s GetDocument = %v, %v", v, name, got, err)
			}
		}
		list, err := e.client_().ListDocuments(ctx, to(e.canister[v], &personalv1.ListDocumentsRequest{Prefix: "doc-grpc", PageSize: 1}))
		if err != nil || len(list.Msg.GetDocuments()) != 1 || list.Msg.GetNextPageToken() == "" {
			t.Errorf("%s ListDocuments = %v, %v; want one document and a next page", v, list, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1", "personal2", "personal3"}, "2.0.0")
	resp, err := e.client_().Describe(context.Background(), to(e.canister["2.0.0"], &personalv1.DescribeRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	m := resp.Msg
	if m.GetProtocol() != "personal/2.0.0" || m.GetAdapter() != "personal2" || len(m.GetModuleHash()) != 32 ||
		m.GetCanisterId() != e.canister["2.0.0"].String() || len(m.GetCapabilities()) != 3 {
		t.Errorf("Describe = %v", m)
	}
}

// TestErrors: each bad request gets a precise Connect error.
func TestErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1", "personal2"}, "1.0.0", "2.0.0", "3.0.0")
	empty := replicatest.CreateCanister(t, e.replica.Agent(t, e.id))
	ctx := context.Background()
	c := e.client_()
	rev := uint64(1)
	get := func(h string) error {
		req := connect.NewRequest(&personalv1.GetDocumentRequest{Key: "k"})
		if h != "" {
			req.Header().Set(gateway.HeaderCanister, h)
		}
		_, err := c.GetDocument(ctx, req)
		return err
	}
	tests := map[string]struct {
		err      error
		code     connect.Code
		contains string
		required string
	}{
		"missing header":     {get(""), connect.CodeInvalidArgument, "missing header Canistry-Canister", ""},
		"malformed":          {get("not-a-principal"), connect.CodeInvalidArgument, "is not a textual principal", ""},
		"unknown canister":   {get("rrkah-fqaaa-aaaaa-aaaaq-cai"), connect.CodeNotFound, "does not exist", ""},
		"empty canister":     {get(empty.String()), connect.CodeFailedPrecondition, "no code installed", ""},
		"unserved version":   {get(e.canister["3.0.0"].String()), connect.CodeUnimplemented, "personal/3.0.0", ""},
		"missing document":   {get(e.canister["2.0.0"].String()), connect.CodeNotFound, "k", ""},
		"if_revision on 1.0": {putErr(c, e.canister["1.0.0"], &personalv1.PutDocumentRequest{Key: "k", IfRevision: &rev}), connect.CodeFailedPrecondition, "requires personal/2.0.0", "personal/2.0.0"},
		"content type on 1.0": {putErr(c, e.canister["1.0.0"], &personalv1.PutDocumentRequest{Key: "k", ContentType: "text/plain"}),
			connect.CodeFailedPrecondition, "CAPABILITY_REVISIONS", "personal/2.0.0"},
		"messaging on 2.0": {func() error {
			_, err := c.SendMessage(ctx, to(e.canister["2.0.0"], &personalv1.SendMessageRequest{To: e.canister["1.0.0"].String(), Body: "hi"}))
			return err
		}(), connect.CodeFailedPrecondition, "CAPABILITY_MESSAGING", ""},
		"conflict on 2.0": {putErr(c, e.canister["2.0.0"], &personalv1.PutDocumentRequest{Key: "new", IfRevision: &rev}), connect.CodeAborted, "conflict", ""},
	}
	for name, tc := range tests {
		var ce *connect.Error
		if !errors.As(tc.err, &ce) {
			t.Errorf("%s: error %v is not a Connect error", name, tc.err)
			continue
		}
		if ce.Code() != tc.code || !strings.Contains(ce.Message(), tc.contains) {
			t.Errorf("%s: %v; want %v containing %q", name, ce, tc.code, tc.contains)
		}
		if tc.required == "" {
			continue
		}
		var found bool
		for _, d := range ce.Details() {
			v, err := d.Value()
			if ve, ok := v.(*personalv1.VersionError); ok && err == nil {
				found = ve.GetRequired() == tc.required && ve.GetProtocol() == "personal/1.0.0"
			}
		}
		if !found {
			t.Errorf("%s: no VersionError detail requiring %s in %v", name, tc.required, ce.Details())
		}
	}
}

func putErr(c personalv1connect.PersonalServiceClient, cid principal.Principal, r *personalv1.PutDocumentRequest) error {
	_, err := c.PutDocument(context.Background(), to(cid, r))
	return err
}

// TestIcErrorDetail: a reject of the IC reaches the client with its codes.
func TestIcErrorDetail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1"}, "1.0.0")
	big := make([]byte, 1<<20+1)
	_, err := e.client_().PutDocument(context.Background(), to(e.canister["1.0.0"], &personalv1.PutDocumentRequest{Key: "big", Content: big}))
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("PutDocument of 1 MiB + 1 = %v; want a Connect error", err)
	}
	for _, d := range ce.Details() {
		if v, _ := d.Value(); v != nil {
			if ie, ok := v.(*personalv1.IcError); ok && ie.GetRejectCode() != 0 && ie.GetErrorCode() != "" {
				return
			}
		}
	}
	t.Errorf("error %v (%v) has no IcError detail", ce, ce.Details())
}

// TestUpgradeRenegotiates: after 1.0.0 → 2.0.0 the next query finds the
// 1.x methods gone, re-negotiates and is answered by the 2.x adapter.
func TestUpgradeRenegotiates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1", "personal2"}, "1.0.0")
	ctx := context.Background()
	c := e.client_()
	cid := e.canister["1.0.0"]
	if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "a", Content: []byte("1")})); err != nil {
		t.Fatal(err)
	}
	e.upgrade(t, cid, "2.0.0")
	resp, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "a"}))
	if err != nil {
		t.Fatalf("GetDocument after the upgrade: %v", err)
	}
	if got := resp.Header().Get(gateway.HeaderProtocol); got != "personal/2.0.0" || resp.Msg.GetDocument().GetRevision() != 1 {
		t.Errorf("after the upgrade: %s, revision %d; want personal/2.0.0, revision 1", got, resp.Msg.GetDocument().GetRevision())
	}
	rev := uint64(1)
	if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "a", Content: []byte("2"), IfRevision: &rev})); err != nil {
		t.Errorf("conditional write after the upgrade: %v", err)
	}
}

func TestHealthAndReflection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1"})
	ctx := context.Background()
	// grpc-go's own health client over h2c: the gateway speaks real gRPC.
	conn, err := grpc.NewClient(strings.TrimPrefix(e.url, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hc := healthpb.NewHealthClient(conn)
	for _, svc := range []string{personalv1connect.PersonalServiceName, gateway.AdapterHealthPrefix + "personal1"} {
		resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of %s = %v, %v; want SERVING", svc, resp, err)
		}
	}
	if _, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: gateway.AdapterHealthPrefix + "nope"}); err == nil {
		t.Error("health of an unknown adapter answered")
	}
	rc := grpcreflect.NewClient(h2cClient(), e.url)
	stream := rc.NewStream(ctx)
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	joined := fmt.Sprint(names)
	if !strings.Contains(joined, personalv1connect.PersonalServiceName) {
		t.Errorf("reflection lists %v; want %s", names, personalv1connect.PersonalServiceName)
	}
}

// TestUpgradeUpdateNotRetried: an update that meets the upgraded canister
// is not retried blindly: Unavailable, and the next call is served by the
// new version.
func TestUpgradeUpdateNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal1", "personal2"}, "1.0.0")
	ctx := context.Background()
	c := e.client_()
	cid := e.canister["1.0.0"]
	if _, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "a"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("GetDocument before the upgrade: %v", err)
	}
	e.upgrade(t, cid, "2.0.0")
	_, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "a", Content: []byte("1")}))
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "interface changed") {
		t.Fatalf("PutDocument meeting the upgrade = %v; want Unavailable naming the interface change", err)
	}
	resp, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "a", Content: []byte("1")}))
	if err != nil || resp.Header().Get(gateway.HeaderProtocol) != "personal/2.0.0" {
		t.Fatalf("PutDocument retried by the client = %v; want success on personal/2.0.0", err)
	}
}

// TestTTLNoticesCompatibleUpgrade: 2.0.0 → 3.0.0 keeps every method, so no
// call fails; the module hash read after the TTL moves the canister to the
// 3.x adapter.
func TestTTLNoticesCompatibleUpgrade(t *testing.T) {
	t.Parallel()
	e := newEnvTTL(t, 300*time.Millisecond, []string{"personal2", "personal3"}, "2.0.0")
	ctx := context.Background()
	c := e.client_()
	cid := e.canister["2.0.0"]
	if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "a", Content: []byte("1")})); err != nil {
		t.Fatal(err)
	}
	e.upgrade(t, cid, "3.0.0")
	// Read until the TTL has passed and the gateway has read the new module
	// hash; every read on the way must be answered, by either adapter.
	var resp *connect.Response[personalv1.GetDocumentResponse]
	var err error
	testwait.Until(10*time.Second, func() bool {
		resp, err = c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "a"}))
		return err != nil || resp.Header().Get(gateway.HeaderProtocol) == "personal/3.0.0"
	})
	if err != nil || resp.Header().Get(gateway.HeaderProtocol) != "personal/3.0.0" {
		t.Fatalf("GetDocument after TTL = %v, %v; want it served as personal/3.0.0", resp, err)
	}
}
