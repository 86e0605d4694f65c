package replica_test

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// benchIdle is the eviction bound of BenchmarkFleetEviction: longer than
// touching the whole fleet takes, so that "touched" has every instance live.
const benchIdle = 30 * time.Second

// BenchmarkFleetEviction: a fleet of personal canisters (default 1,000;
// CANISTRY_BENCH_FLEET=N for another size), each holding a document,
// installed from one cached compiled module. It reports the process's
// resident memory with every instance live after install, after a restart
// and one query to each (touched once), and after eviction; then the query
// latency of a cold (evicted) canister against a warm one. It runs once:
//
//	flock /tmp/canistry-cpu.lock go test -run '^$' -bench FleetEviction -benchtime 1x ./replica/
//
// Measured with 1,000 on the 2-core machine: 0.34 GB installed (all live),
// 0.40 GB touched once after a restart, 0.26 GB evicted; a cold query
// 0.95 ms, a warm one 0.59 ms, means with the unverified agent-go round
// trip (first measured at 4.7 GB, 2.5 GB, 0.38 GB, 5.6 ms and 0.67 ms).
func BenchmarkFleetEviction(b *testing.B) {
	n := fleetSize(b)
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	r := replicatest.Start(b, replica.Config{StateDir: dir, EvictIdleAfter: -1})
	start := time.Now()
	ids := installFleet(b, r.Agent(b, id), n)
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "installs/s")
	b.ReportMetric(rssMB(b), "MB-rss-installed")
	r.Stop()

	start = time.Now()
	r = replicatest.Start(b, replica.Config{StateDir: dir, EvictIdleAfter: benchIdle})
	b.ReportMetric(float64(time.Since(start).Microseconds())/1e3, "ms/restart")
	q := unverifiedAgent(b, r, id)
	start = time.Now()
	for _, c := range ids {
		queryDocument(b, q, c)
	}
	if took := time.Since(start); took > benchIdle/2 {
		b.Logf("touching %d canisters took %v: some may have been evicted already", n, took)
	}
	live := r.LiveInstances()
	b.ReportMetric(float64(live), "live-touched")
	b.ReportMetric(rssMB(b), "MB-rss-touched")
	testwait.For(b, 3*benchIdle, "every instance is evicted", func() bool { return r.LiveInstances() == 0 })
	b.ReportMetric(rssMB(b), "MB-rss-evicted")

	cold, warm := coldAndWarm(b, q, ids[:min(len(ids), 200)])
	b.ReportMetric(cold, "µs/cold-query")
	b.ReportMetric(warm, "µs/warm-query")
}

func fleetSize(b *testing.B) int {
	s := os.Getenv("CANISTRY_BENCH_FLEET")
	if s == "" {
		return 1000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("CANISTRY_BENCH_FLEET=%q: want a positive number of canisters", s)
	}
	return n
}

// installFleet installs n personal canisters, 8 at a time, each with one
// document.
func installFleet(b *testing.B, a *agent.Agent, n int) []principal.Principal {
	ids := make([]principal.Principal, n)
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ids[i] = installPersonal(b, a)
				putDocument(b, a, ids[i], "notes/1", fmt.Sprintf("document of canister %d", i))
			}
		}()
	}
	wg.Wait()
	return ids
}

// unverifiedAgent queries as id without verifying the node's signature (an
// agent-go default that costs the client more than the replica's work).
func unverifiedAgent(b *testing.B, r *replicatest.Replica, id identity.Identity) *agent.Agent {
	a, err := agent.New(agent.Config{Identity: id, FetchRootKey: true, DisableSignedQueryVerification: true,
		ClientConfig: []agent.ClientOption{agent.WithHostURL(r.URL)}})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func queryDocument(b *testing.B, a *agent.Agent, id principal.Principal) {
	if doc := getDocument(b, a, id, "notes/1"); doc == nil {
		b.Fatalf("canister %s lost its document", id)
	}
}

// coldAndWarm queries each (evicted) canister twice: the first query
// restores its instance, the second finds it live. Means in µs.
func coldAndWarm(b *testing.B, a *agent.Agent, ids []principal.Principal) (cold, warm float64) {
	var tc, tw time.Duration
	for _, id := range ids {
		t0 := time.Now()
		queryDocument(b, a, id)
		t1 := time.Now()
		queryDocument(b, a, id)
		tc, tw = tc+t1.Sub(t0), tw+time.Since(t1)
	}
	k := float64(len(ids))
	return float64(tc.Microseconds()) / k, float64(tw.Microseconds()) / k
}

// rssMB is the process's resident memory in MB after a full collection
// that returns freed memory to the system. It logs the anonymous and file
// parts (the store's database is a file mapping) and the Go heap in use.
func rssMB(b *testing.B) float64 {
	runtime.GC()
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	kb := map[string]float64{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		for _, field := range []string{"VmRSS", "RssAnon", "RssFile"} {
			if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
				v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				if err != nil {
					b.Fatalf("%s %q: %v", field, rest, err)
				}
				kb[field] = v
			}
		}
	}
	rss, ok := kb["VmRSS"]
	if !ok {
		b.Fatal("no VmRSS in /proc/self/status")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("RSS %.0f MB: anonymous %.0f MB, file %.0f MB; Go heap in use %.0f MB",
		rss/1024, kb["RssAnon"]/1024, kb["RssFile"]/1024, float64(ms.HeapInuse)/(1<<20))
	return rss / 1024
}
