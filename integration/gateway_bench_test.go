package integration

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
)

// benchResult is one sub-benchmark's last run.
type benchResult struct {
	p50, p99   time.Duration
	throughput float64 // reads per second
}

// BenchmarkGatewayRead compares a document read through the gateway
// (Connect client with a delegation → gateway (cached verification) →
// adapter process → IcService → the user's delegated query → replica)
// with the same read made directly against the replica, by agent-go with
// the owner's own key ("direct"; agent-go reads the subnet's node keys
// anew for every query), and by ic/delegated (which caches node keys) as
// the owner's own key ("direct-own-key") and as the owner through a
// delegation to a session key ("direct-delegated", what the gateway
// sends): the last two differ only in the delegation, whose signatures
// the replica verifies once and then remembers (replica/httpapi's chain
// cache), as the gateway does. Concurrency 1 and 8, all against one
// `canistry dev`. Every path verifies query signatures. Run:
//
//	go test ./integration -run '^$' -bench BenchmarkGatewayRead -benchtime 3s
func BenchmarkGatewayRead(b *testing.B) {
	d := startDev(b, b.TempDir())
	cid := d.canisters["2.0.0"]
	c := newClient(d.gateway, d.delegation)
	ctx := context.Background()
	content := strings.Repeat("x", 256)
	if _, _, err := c.put(ctx, cid, "bench", content, nil); err != nil {
		b.Fatal(err)
	}
	direct := devAgent(b, d)
	canister := principal.MustDecode(cid)
	asOwner, ownKey := delegatedCaller(b, d, canister)
	getArg, _ := candid.Marshal([]any{"bench"})
	reads := map[string]func() error{
		"gateway": func() error {
			doc, _, err := c.get(ctx, cid, "bench")
			if err == nil && len(doc.GetContent()) != len(content) {
				err = fmt.Errorf("read %d bytes", len(doc.GetContent()))
			}
			return err
		},
		"direct-delegated": func() error { return queryDoc(ctx, asOwner, canister, getArg, len(content)) },
		"direct-own-key":   func() error { return queryDoc(ctx, ownKey, canister, getArg, len(content)) },
		"direct": func() error {
			var doc *personal_2_0_0.Document
			err := direct.Query(canister, "get_document", []any{"bench"}, []any{&doc})
			if err == nil && (doc == nil || len(doc.Content) != len(content)) {
				err = fmt.Errorf("read %v", doc)
			}
			return err
		},
	}
	results := map[string]benchResult{}
	for _, conc := range []int{1, 8} {
		for _, path := range []string{"direct", "direct-own-key", "direct-delegated", "gateway"} {
			name := fmt.Sprintf("%s/c=%d", path, conc)
			b.Run(name, func(b *testing.B) {
				r := measure(b, conc, reads[path])
				results[name] = r
				b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
				b.ReportMetric(r.throughput, "reads/s")
			})
		}
	}
	for _, conc := range []int{1, 8} {
		g, dr := results[fmt.Sprintf("gateway/c=%d", conc)], results[fmt.Sprintf("direct/c=%d", conc)]
		dd, do := results[fmt.Sprintf("direct-delegated/c=%d", conc)], results[fmt.Sprintf("direct-own-key/c=%d", conc)]
		if dr.throughput == 0 {
			continue
		}
		if do.p50 > 0 {
			b.Logf("c=%d: own key p50 %v | delegation p50 %v (%+.1f%%)", conc, do.p50, dd.p50,
				100*(float64(dd.p50)-float64(do.p50))/float64(do.p50))
		}
		b.Logf("c=%d: direct p50 %v p99 %v %.0f reads/s | gateway p50 %v p99 %v %.0f reads/s | gateway adds %v at p50, keeps %.0f%% of throughput",
			conc, dr.p50, dr.p99, dr.throughput, g.p50, g.p99, g.throughput, g.p50-dr.p50, 100*g.throughput/dr.throughput)
	}
}

// measure runs b.N reads over conc workers and reports latency
// percentiles and throughput.
func measure(b *testing.B, conc int, read func() error) benchResult {
	lat := make([]time.Duration, b.N)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	var failed error
	b.ResetTimer()
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				n := i
				i++
				next.Unlock()
				if n >= b.N {
					return
				}
				t0 := time.Now()
				err := read()
				lat[n] = time.Since(t0)
				if err != nil {
					next.Lock()
					failed = err
					next.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed != nil {
		b.Fatalf("read failed: %v", failed)
	}
	slices.Sort(lat)
	return benchResult{
		p50:        lat[len(lat)/2],
		p99:        lat[min(len(lat)-1, len(lat)*99/100)],
		throughput: float64(b.N) / elapsed.Seconds(),
	}
}

func queryDoc(ctx context.Context, c *delegated.Caller, canister principal.Principal, arg []byte, size int) error {
	reply, err := c.Query(ctx, canister, "get_document", arg)
	if err != nil {
		return err
	}
	var doc *personal_2_0_0.Document
	if err := candid.Unmarshal(reply, []any{&doc}); err != nil || doc == nil || len(doc.Content) != size {
		return fmt.Errorf("read %v, %v", doc, err)
	}
	return nil
}

// delegatedCaller queries as the dev identity through a delegation from it
// to a fresh session key, as the gateway does for users; own queries as
// the dev identity's own key through the same code.
func delegatedCaller(b *testing.B, d *devProcess, canister principal.Principal) (delegation, own *delegated.Caller) {
	pem, err := os.ReadFile(filepath.Join(d.stateDir, "identity.pem"))
	if err != nil {
		b.Fatal(err)
	}
	owner, err := identity.NewEd25519IdentityFromPEM(pem)
	if err != nil {
		b.Fatal(err)
	}
	session, _ := identity.NewRandomEd25519Identity()
	u, _ := url.Parse(d.replica)
	pool, err := ic.NewPool(ic.Config{URL: u, FetchRootKey: true})
	if err != nil {
		b.Fatal(err)
	}
	base, err := pool.For(session)
	if err != nil {
		b.Fatal(err)
	}
	chain, err := delegated.Delegate(owner, session.PublicKey(), time.Now().Add(time.Hour), []principal.Principal{canister}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ownBase, err := pool.For(owner)
	if err != nil {
		b.Fatal(err)
	}
	return delegated.NewSender(base, session).As(chain), delegated.NewSender(ownBase, owner).Own()
}

// devAgent is an agent-go agent of the dev identity (the canisters' owner)
// against dev's replica, with agent-go's defaults.
func devAgent(b *testing.B, d *devProcess) *agent.Agent {
	pem, err := os.ReadFile(filepath.Join(d.stateDir, "identity.pem"))
	if err != nil {
		b.Fatal(err)
	}
	id, err := identity.NewEd25519IdentityFromPEM(pem)
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(d.replica)
	a, err := agent.New(agent.Config{Identity: id, FetchRootKey: true, ClientConfig: []agent.ClientOption{agent.WithHostURL(u)}})
	if err != nil {
		b.Fatal(err)
	}
	return a
}
