package host_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/hashicorp/go-version"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// testAdapterBinary builds hosttest's adapter once per test run.
func testAdapterBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "canistry-host-test")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "testadapter"), "./hosttest/testadapter").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build testadapter: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "testadapter")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// sources are the test adapter binary started under each name (it takes
// the adapter's name as its argument).
func sources(t *testing.T, names ...string) []host.Source {
	t.Helper()
	bin := testAdapterBinary(t)
	sum := fileSum(t, bin)
	var out []host.Source
	for _, n := range names {
		out = append(out, host.Source{Name: n, Path: bin, Args: []string{n}, Checksum: sum})
	}
	return out
}

func fileSum(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return s[:]
}

func startHost(t *testing.T, srcs []host.Source, onHealth func(string, bool)) *host.Host {
	t.Helper()
	h, err := host.Start(context.Background(), host.Config{Sources: srcs, OnHealth: onHealth})
	if err != nil {
		t.Fatalf("host.Start: %v", err)
	}
	t.Cleanup(h.Close)
	return h
}

func TestStartResolvesVersions(t *testing.T) {
	t.Parallel()
	h := startHost(t, sources(t, "personal1", "personal2", "personal3"), nil)
	for v, want := range map[string]string{"1.0.0": "personal1", "1.9.3": "personal1", "2.0.0": "personal2", "3.1.0": "personal3", "4.0.0": ""} {
		a, ok := h.Resolve("personal", version.Must(version.NewVersion(v)))
		got := ""
		if ok {
			got = a.Name()
		}
		if got != want {
			t.Errorf("Resolve(personal/%s) = %q, want %q", v, got, want)
		}
	}
	if _, ok := h.Resolve("other", version.Must(version.NewVersion("1.0.0"))); ok {
		t.Error("Resolve(other/1.0.0) found an adapter")
	}
	a, _ := h.Resolve("personal", version.Must(version.NewVersion("2.0.0")))
	if got := a.Manifest().LowestVersion().String(); got != "2.0.0" {
		t.Errorf("LowestVersion = %s, want 2.0.0", got)
	}
}

func TestStartRefuses(t *testing.T) {
	t.Parallel()
	bad := sources(t, "personal1")[0]
	bad.Checksum = make([]byte, 32)
	tests := map[string]struct {
		srcs []host.Source
		want string
	}{
		"wrong checksum":      {[]host.Source{bad}, "checksums did not match"},
		"unknown capability":  {sources(t, "badcap"), `unknown capability "CAPABILITY_TELEPORTATION"`},
		"unknown service":     {sources(t, "badservice"), `unknown service "canistry.nothing.v1.NoService"`},
		"overlapping":         {sources(t, "personal2", "overlap2"), "both serve personal/2.5.0"},
		"duplicate name":      {sources(t, "personal1", "personal1"), `two adapters are named "personal1"`},
		"not a plugin binary": {[]host.Source{{Name: "true", Path: "/bin/true", Checksum: fileSum(t, "/bin/true")}}, "adapter true"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, err := host.Start(context.Background(), host.Config{Sources: tc.srcs})
			if err == nil {
				h.Close()
				t.Fatalf("Start succeeded; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Start error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestFromDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := testAdapterBinary(t)
	data, _ := os.ReadFile(bin)
	if err := os.WriteFile(filepath.Join(dir, "personal9"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	line := hex.EncodeToString(fileSum(t, bin)) + "  personal9\n"
	if err := os.WriteFile(filepath.Join(dir, host.ManifestFile), []byte("# adapters\n"+line), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := host.FromDir(dir)
	if err != nil || len(srcs) != 1 || srcs[0].Path != filepath.Join(dir, "personal9") {
		t.Fatalf("FromDir = %+v, %v", srcs, err)
	}
	os.WriteFile(filepath.Join(dir, host.ManifestFile), []byte("abc  ../x\n"), 0o644)
	if _, err := host.FromDir(dir); err == nil {
		t.Error("FromDir accepted a bad line")
	}
	if _, err := host.FromDir(t.TempDir()); err == nil {
		t.Error("FromDir accepted a directory without a manifest")
	}
}

// fixture is a replica with one personal 1.0.0 canister and a host.
type fixture struct {
	host     *host.Host
	client   *ic.Client
	canister principal.Principal
}

func newFixture(t *testing.T, onHealth func(string, bool)) *fixture {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	id, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, id)
	cid, err := personal.CreateRelease(t.Context(), a, "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := ic.NewPool(ic.Config{URL: r.URL, FetchRootKey: true})
	c, _ := pool.For(id)
	return &fixture{host: startHost(t, sources(t, "personal1"), onHealth), client: c, canister: cid}
}

func (f *fixture) scope() *host.Scope {
	return &host.Scope{Canister: f.canister, Protocol: "personal/1.0.0", IC: f.client}
}

func put(ctx context.Context, a *host.Adapter, sc *host.Scope, key, content string) error {
	return a.Invoke(ctx, sc, false, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		_, err := personalv1.NewPersonalServiceClient(cc).PutDocument(ctx, &personalv1.PutDocumentRequest{Key: key, Content: []byte(content)})
		return err
	})
}

func get(ctx context.Context, a *host.Adapter, sc *host.Scope, key string) (*personalv1.Document, error) {
	var doc *personalv1.Document
	err := a.Invoke(ctx, sc, true, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		resp, err := personalv1.NewPersonalServiceClient(cc).GetDocument(ctx, &personalv1.GetDocumentRequest{Key: key})
		doc = resp.GetDocument()
		return err
	})
	return doc, err
}

func TestInvokeThroughIcService(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.host.Adapters()[0]
	ctx := context.Background()
	if err := put(ctx, a, f.scope(), "k", "v"); err != nil {
		t.Fatalf("put: %v", err)
	}
	doc, err := get(ctx, a, f.scope(), "k")
	if err != nil || string(doc.GetContent()) != "v" {
		t.Fatalf("get = %v, %v; want v", doc, err)
	}
	if _, err := get(ctx, a, f.scope(), "missing"); status.Code(err) != codes.NotFound {
		t.Errorf("get(missing) = %v; want NotFound", err)
	}
	// The scope names the canister: the same call to another canister is
	// that canister's answer (here: none exists), whatever the adapter asks.
	other := &host.Scope{Canister: principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai"), Protocol: "personal/1.0.0", IC: f.client}
	var rejects []*ic.Reject
	other.OnReject = func(r *ic.Reject) { rejects = append(rejects, r) }
	if _, err := get(ctx, a, other, "k"); status.Code(err) != codes.NotFound || len(rejects) != 1 {
		t.Errorf("get on an unknown canister = %v, rejects %v; want NotFound from one IC reject", err, rejects)
	}
}

func TestCrashRestartsAndRetriesQueries(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var health []bool
	f := newFixture(t, func(_ string, serving bool) { mu.Lock(); health = append(health, serving); mu.Unlock() })
	a := f.host.Adapters()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := put(ctx, a, f.scope(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	// A query whose adapter dies under it is retried on the restarted one.
	pid := a.PID()
	err := a.Invoke(ctx, f.scope(), true, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		if a.PID() == pid {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		_, err := personalv1.NewPersonalServiceClient(cc).GetDocument(ctx, &personalv1.GetDocumentRequest{Key: "k"})
		return err
	})
	if err != nil {
		t.Fatalf("query across a crash: %v", err)
	}
	if a.Restarts() != 1 || a.PID() == pid {
		t.Errorf("restarts = %d, pid %d → %d; want one restart", a.Restarts(), pid, a.PID())
	}
	// An update whose adapter dies under it is not retried.
	pid = a.PID()
	calls := 0
	err = a.Invoke(ctx, f.scope(), false, func(ctx context.Context, cc grpc.ClientConnInterface) error {
		calls++
		syscall.Kill(pid, syscall.SIGKILL)
		_, err := personalv1.NewPersonalServiceClient(cc).PutDocument(ctx, &personalv1.PutDocumentRequest{Key: "k2", Content: []byte("x")})
		return err
	})
	if !errors.Is(err, host.ErrAdapterCrashed) || calls != 1 {
		t.Errorf("update across a crash = %v after %d calls; want ErrAdapterCrashed after 1", err, calls)
	}
	if _, err := get(ctx, a, f.scope(), "k"); err != nil {
		t.Errorf("query after the second restart: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(health) < 5 || health[0] != true || health[1] != false || health[2] != true {
		t.Errorf("health transitions = %v; want serving, not serving, serving, ...", health)
	}
}

// TestCrashUnderConcurrentQueries: many requests see the same death; the
// adapter is restarted once, not once per request.
func TestCrashUnderConcurrentQueries(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var health []bool
	f := newFixture(t, func(_ string, serving bool) { mu.Lock(); health = append(health, serving); mu.Unlock() })
	a := f.host.Adapters()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := put(ctx, a, f.scope(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	pid := a.PID()
	var wg, running sync.WaitGroup
	killed := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		running.Add(1)
		go func() {
			defer wg.Done()
			// Query on until one query was sent after the kill, so that
			// every goroutine meets the death or the restarted process.
			for n := 0; ; n++ {
				after := isClosed(killed)
				_, err := get(ctx, a, f.scope(), "k")
				if n == 0 {
					running.Done()
				}
				if err != nil {
					errs <- err
					return
				}
				if after {
					return
				}
			}
		}()
	}
	running.Wait() // all eight are querying
	syscall.Kill(pid, syscall.SIGKILL)
	close(killed)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("query across the crash: %v", err)
	}
	// A second restart would take the adapter out of service again: it
	// would show in the health transitions and the restart counter once the
	// restart has reported serving and the next query has gone through.
	testwait.For(t, 10*time.Second, "the restarted adapter reports serving", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(health) >= 3
	})
	if _, err := get(ctx, a, f.scope(), "k"); err != nil {
		t.Errorf("query after the restart: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if a.Restarts() != 1 || !slices.Equal(health, []bool{true, false, true}) {
		t.Errorf("restarts = %d, health transitions %v; want 1 restart: serving, not serving, serving", a.Restarts(), health)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestFirstRequestLongAfterStart: go-plugin's broker drops connection
// info an adapter has not dialed within 5 s; an adapter first used later
// must still reach IcService.
func TestFirstRequestLongAfterStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.host.Adapters()[0]
	time.Sleep(6 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := get(ctx, a, f.scope(), "k"); status.Code(err) != codes.NotFound {
		t.Fatalf("first query 6 s after start = %v; want the canister's NotFound", err)
	}
	time.Sleep(6 * time.Second) // the offer it dialed stays in use
	if _, err := get(ctx, a, f.scope(), "k"); status.Code(err) != codes.NotFound {
		t.Fatalf("query 6 s after the first = %v; want NotFound", err)
	}
}
