package replica_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

func scrapeReplica(t *testing.T, r *replicatest.Replica) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(r.URL.String() + replica.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", replica.MetricsPath, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// series is the value of name's series with label kind=kind ("" for none).
func series(t *testing.T, fams map[string]*dto.MetricFamily, name, kind string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	for _, m := range f.GetMetric() {
		var k string
		for _, l := range m.GetLabel() {
			if l.GetName() == "kind" {
				k = l.GetValue()
			}
		}
		if k != kind {
			continue
		}
		if m.Counter != nil {
			return m.Counter.GetValue()
		}
		return m.Gauge.GetValue()
	}
	t.Fatalf("no series %s{kind=%q}", name, kind)
	return 0
}

func TestMetricsReplica(t *testing.T) {
	t.Parallel()
	r := replicatest.Start(t, replica.Config{})
	user, _ := identity.NewRandomEd25519Identity()
	a := r.Agent(t, user)
	counter := installCounter(t, a)
	before := scrapeReplica(t, r)
	for range 3 {
		inc(t, a, counter)
	}
	get(t, a, counter)
	get(t, a, counter)
	installBeater(t, a)
	// Heartbeats run round after round: wait for one to be counted.
	testwait.For(t, 20*time.Second, "a heartbeat counted", func() bool {
		return series(t, scrapeReplica(t, r), "canistry_replica_messages_total", "heartbeat") >= 1
	})
	after := scrapeReplica(t, r)

	delta := func(name, kind string) float64 { return series(t, after, name, kind) - series(t, before, name, kind) }
	if d := delta("canistry_replica_messages_total", "ingress"); d != 3 {
		t.Errorf("ingress updates executed: %v, want 3", d)
	}
	if d := delta("canistry_replica_messages_total", "query"); d != 2 {
		t.Errorf("queries executed: %v, want 2", d)
	}
	if d := delta("canistry_replica_instructions_total", "ingress"); d <= 0 {
		t.Errorf("instructions of the ingress updates: %v, want > 0", d)
	}
	if d := delta("canistry_replica_rounds_total", ""); d < 3 {
		t.Errorf("rounds: %v, want ≥ 3 (one per update at least)", d)
	}
	if d := delta("canistry_replica_certified_height", ""); d < 3 {
		t.Errorf("certified height grew by %v, want ≥ 3", d)
	}
	if n := series(t, after, "canistry_replica_canisters", ""); n != 2 {
		t.Errorf("canisters: %v, want 2", n)
	}
	if n := series(t, after, "canistry_replica_live_instances", ""); n < 1 {
		t.Errorf("live instances: %v, want ≥ 1", n)
	}
	if n := series(t, after, "process_resident_memory_bytes", ""); n <= 0 {
		t.Errorf("resident memory: %v", n)
	}

	// The IC HTTP interface is unaffected: its status endpoint still answers CBOR.
	resp, err := http.Get(r.URL.String() + "/api/v2/status")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/cbor" || len(body) == 0 {
		t.Fatalf("/api/v2/status: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
}

func TestMetricsReplicaInterCanisterAndTimers(t *testing.T) {
	t.Parallel()
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	wasm := canisters.MustWasm("test/pingpong/canister.wasm")
	var ids [2]principal.Principal
	for i := range ids {
		ids[i] = replicatest.CreateCanister(t, a)
		if err := replicatest.Install(a, ids[i], wasm, nil, replicatest.ModeInstall); err != nil {
			t.Fatalf("install pingpong: %v", err)
		}
	}
	before := scrapeReplica(t, r)
	// ping(2) on the first: pong on the second, ping on the first, and
	// the two replies back: two requests and two responses between them.
	var n idl.Nat
	if err := a.Call(ids[0], "ping", []any{ids[1], idl.NewNat(uint64(2))}, []any{&n}); err != nil {
		t.Fatal(err)
	}
	mid := scrapeReplica(t, r)
	delta := func(from, to map[string]*dto.MetricFamily, kind string) float64 {
		return series(t, to, "canistry_replica_messages_total", kind) - series(t, from, "canistry_replica_messages_total", kind)
	}
	if d := delta(before, mid, "ingress"); d != 1 {
		t.Errorf("ingress: %v, want 1", d)
	}
	if d := delta(before, mid, "inter_canister"); d != 4 {
		t.Errorf("inter-canister messages: %v, want 4", d)
	}
	if d := series(t, mid, "canistry_replica_instructions_total", "inter_canister") - series(t, before, "canistry_replica_instructions_total", "inter_canister"); d <= 0 {
		t.Errorf("inter-canister instructions: %v, want > 0", d)
	}

	ticker := installTicker(t, a)
	if err := a.Call(ticker, "once", []any{idl.NewNat(uint64(20 * time.Millisecond))}, nil); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 20*time.Second, "a timer counted", func() bool {
		return delta(mid, scrapeReplica(t, r), "timer") >= 1
	})
}
