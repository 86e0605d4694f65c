package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
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

// BenchmarkGatewayRead compares, in one run against one `canistry dev`, a
// document read through the gateway (Connect client with a delegation →
// gateway → adapter process → IcService → the user's delegated query with
// node keys cached → replica, "gateway") with the same read made directly
// against the replica by:
//   - agent-go with its defaults ("agent-go": it reads and BLS-verifies
//     the subnet's node keys anew for every query);
//   - @dfinity/agent 3.4.3 in node with its defaults ("agent-js",
//     integration/js/bench.mjs: node keys cached per canister);
//   - ic/delegated, which caches node keys, as the owner's own key
//     ("direct-own-key") and as the owner through a delegation to a session
//     key ("direct-delegated", what the gateway sends): the two differ only
//     in the delegation, which the replica verifies once and remembers.
//
// Every path verifies query signatures. Concurrency 1 and 8; each row
// reports p50-ms, p99-ms and reads/s, and the log compares the gateway
// with issue 14's targets. Run (on a shared machine, under the lock):
//
//	go test ./integration -run '^$' -bench 'BenchmarkGateway(Read|Update)' -benchtime 2000x
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
		"agent-go": func() error {
			var doc *personal_2_0_0.Document
			err := direct.Query(canister, "get_document", []any{"bench"}, []any{&doc})
			if err == nil && (doc == nil || len(doc.Content) != len(content)) {
				err = fmt.Errorf("read %v", doc)
			}
			return err
		},
	}
	js := agentJS(b, d, cid, len(content))
	results := map[string]benchResult{}
	for _, conc := range []int{1, 8} {
		for _, path := range []string{"agent-go", "agent-js", "direct-own-key", "direct-delegated", "gateway"} {
			name := fmt.Sprintf("%s/c=%d", path, conc)
			b.Run(name, func(b *testing.B) {
				var r benchResult
				if path == "agent-js" {
					if js == nil {
						b.Skip("node_modules missing: run `npm ci`")
					}
					r = js(b, conc)
				} else {
					r = measure(b, conc, reads[path])
				}
				results[name] = r
				report(b, r, "reads/s")
			})
		}
	}
	for _, conc := range []int{1, 8} {
		at := func(path string) benchResult { return results[fmt.Sprintf("%s/c=%d", path, conc)] }
		g, ago, ajs := at("gateway"), at("agent-go"), at("agent-js")
		dd, do := at("direct-delegated"), at("direct-own-key")
		if do.p50 > 0 {
			b.Logf("c=%d: own key p50 %v | delegation p50 %v (%+.1f%%)", conc, do.p50, dd.p50,
				100*(float64(dd.p50)-float64(do.p50))/float64(do.p50))
		}
		if g.p50 == 0 || ago.p50 == 0 {
			continue
		}
		b.Logf("c=%d: gateway p50 %v p99 %v %.0f reads/s | agent-go p50 %v p99 %v %.0f reads/s | agent-js p50 %v p99 %v %.0f reads/s",
			conc, g.p50, g.p99, g.throughput, ago.p50, ago.p99, ago.throughput, ajs.p50, ajs.p99, ajs.throughput)
		b.Logf("c=%d: gateway p50 = %.2f× agent-go (target ≤ 0.5×), %.2f× agent-js (target ≤ 1.0×); reads/s = %.2f× agent-go (target at c=8 ≥ 2×)",
			conc, ratio(g.p50, ago.p50), ratio(g.p50, ajs.p50), g.throughput/ago.throughput)
	}
}

// BenchmarkGatewayUpdate compares PutDocument through the gateway (the
// user's delegated call, its certificate verified) with put_document made
// directly, in one run against one `canistry dev`, by:
//   - agent-go with its defaults ("agent-go": a synchronous call whose
//     certificate it reads but does not verify);
//   - agent-go followed by agent-go's own check of that certificate
//     ("agent-go+verify", what a client that trusts only certified
//     answers does, as the gateway does);
//   - the gateway's own IC client, ic/delegated, as the owner's key
//     ("direct-verified": the certificate checked as the gateway checks it,
//     the subnet delegation's check remembered), so that the gateway's
//     own cost shows apart from the check's.
//
// Concurrency 1 and 8, each worker on its own key. Run with
// BenchmarkGatewayRead (see there).
func BenchmarkGatewayUpdate(b *testing.B) {
	d := startDev(b, b.TempDir())
	cid := d.canisters["2.0.0"]
	c := newClient(d.gateway, d.delegation)
	ctx := context.Background()
	plain := devAgent(b, d)
	verifying := newVerifyingAgent(b, d)
	canister := principal.MustDecode(cid)
	_, own := delegatedCaller(b, d, canister)
	content := strings.Repeat("u", 256)
	var n atomic.Int64
	key := func() string { return fmt.Sprintf("upd-%d", n.Add(1)%64) }
	// args is put_document's argument list, each call on the next key.
	args := func() []any { return []any{key(), []byte(content), "text/plain", (*idl.Nat)(nil)} }
	// direct runs one direct put_document and checks that it was stored.
	direct := func(call func(in, out []any) error) error {
		var res personal_2_0_0.PutResult
		if err := call(args(), []any{&res}); err != nil {
			return err
		}
		if res.Ok == nil {
			return fmt.Errorf("put refused: %+v", res)
		}
		return nil
	}
	puts := map[string]func() error{
		"gateway": func() error {
			_, _, err := c.put(ctx, cid, key(), content, nil)
			return err
		},
		"agent-go": func() error {
			return direct(func(in, out []any) error { return plain.Call(canister, "put_document", in, out) })
		},
		"agent-go+verify": func() error {
			return direct(func(in, out []any) error { return verifying.call(ctx, canister, "put_document", in, out) })
		},
		"direct-verified": func() error {
			return direct(func(in, out []any) error {
				arg, err := candid.Marshal(in)
				if err != nil {
					return err
				}
				reply, err := own.Call(ctx, canister, "put_document", arg)
				if err != nil {
					return err
				}
				return candid.Unmarshal(reply, out)
			})
		},
	}
	results := map[string]benchResult{}
	for _, conc := range []int{1, 8} {
		for _, path := range []string{"agent-go", "agent-go+verify", "direct-verified", "gateway"} {
			name := fmt.Sprintf("%s/c=%d", path, conc)
			b.Run(name, func(b *testing.B) {
				r := measure(b, conc, puts[path])
				results[name] = r
				report(b, r, "updates/s")
			})
		}
	}
	for _, conc := range []int{1, 8} {
		at := func(path string) benchResult { return results[fmt.Sprintf("%s/c=%d", path, conc)] }
		g, a, v, dv := at("gateway"), at("agent-go"), at("agent-go+verify"), at("direct-verified")
		if g.p50 == 0 || a.p50 == 0 {
			continue
		}
		b.Logf("c=%d: gateway update p50 %v p99 %v %.0f/s | agent-go p50 %v p99 %v %.0f/s | gateway adds %v at p50 (target ≤ 1ms)",
			conc, g.p50, g.p99, g.throughput, a.p50, a.p99, a.throughput, g.p50-a.p50)
		if v.p50 > 0 {
			b.Logf("c=%d: agent-go+verify p50 %v p99 %v %.0f/s: its check adds %v; the gateway adds %v over it",
				conc, v.p50, v.p99, v.throughput, v.p50-a.p50, g.p50-v.p50)
		}
		if dv.p50 > 0 {
			b.Logf("c=%d: direct-verified p50 %v p99 %v %.0f/s: the check adds %v; the gateway adds %v over it",
				conc, dv.p50, dv.p99, dv.throughput, dv.p50-a.p50, g.p50-dv.p50)
		}
	}
}

func report(b *testing.B, r benchResult, unit string) {
	b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(r.throughput, unit)
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// agentJS runs integration/js/bench.mjs (b.N reads at conc) against d's
// replica as the dev identity; nil when node_modules are missing.
func agentJS(b *testing.B, d *devProcess, cid string, size int) func(*testing.B, int) benchResult {
	root := repoRoot()
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@dfinity", "agent")); err != nil {
		return nil
	}
	return func(b *testing.B, conc int) benchResult {
		cmd := exec.Command("node", "integration/js/bench.mjs")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CANISTRY_REPLICA_URL="+d.replica, "CANISTRY_CANISTER="+cid,
			"CANISTRY_IDENTITY_PEM="+filepath.Join(d.stateDir, "identity.pem"), "BENCH_KEY=bench",
			fmt.Sprintf("BENCH_SIZE=%d", size), fmt.Sprintf("BENCH_N=%d", b.N), fmt.Sprintf("BENCH_CONCURRENCY=%d", conc))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("node bench.mjs: %v\n%s", err, stderr.String())
		}
		var r struct {
			P50        float64 `json:"p50_ms"`
			P99        float64 `json:"p99_ms"`
			Throughput float64 `json:"reads_per_s"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("node bench.mjs printed %q: %v", out, err)
		}
		ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
		return benchResult{p50: ms(r.P50), p99: ms(r.P99), throughput: r.Throughput}
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
func devAgent(b *testing.B, d *devProcess, opts ...agent.ClientOption) *agent.Agent {
	pem, err := os.ReadFile(filepath.Join(d.stateDir, "identity.pem"))
	if err != nil {
		b.Fatal(err)
	}
	id, err := identity.NewEd25519IdentityFromPEM(pem)
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(d.replica)
	a, err := agent.New(agent.Config{Identity: id, FetchRootKey: true, ClientConfig: append([]agent.ClientOption{agent.WithHostURL(u)}, opts...)})
	if err != nil {
		b.Fatal(err)
	}
	return a
}
