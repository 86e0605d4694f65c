package replica

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/canistry/canistry/replica/exec"
)

// MetricsPath is where the replica serves Prometheus metrics, beside the
// IC HTTP interface (whose paths all start with /api/).
const MetricsPath = "/metrics"

// Message kinds as the metrics name them.
const (
	kindIngress       = "ingress"        // an update call from a user
	kindQuery         = "query"          // a non-replicated (or composite) query
	kindInterCanister = "inter_canister" // a request or a response between canisters
	kindTimer         = "timer"
	kindHeartbeat     = "heartbeat"
)

var messageKinds = []string{kindIngress, kindQuery, kindInterCanister, kindTimer, kindHeartbeat}

// stats are the scheduler's counters, kept as plain atomics (a few adds
// per message) and turned into series only when scraped.
type stats struct {
	rounds       atomic.Uint64
	certified    atomic.Uint64 // states certified since the replica opened
	messages     [5]atomic.Uint64
	instructions [5]atomic.Uint64
}

func kindIndex(k string) int {
	for i, n := range messageKinds {
		if n == k {
			return i
		}
	}
	panic("replica: unknown message kind " + k)
}

func (s *stats) executed(kind string, instructions uint64) {
	i := kindIndex(kind)
	s.messages[i].Add(1)
	s.instructions[i].Add(instructions)
}

// runKind names a replicated execution: the call context's origin tells an
// ingress update from a canister's request.
func runKind(inv *exec.Invocation, origin string) string {
	switch inv.Kind {
	case exec.KindHeartbeat:
		return kindHeartbeat
	case exec.KindGlobalTimer:
		return kindTimer
	case exec.KindReplyCallback, exec.KindRejectCallback:
		return kindInterCanister
	}
	if origin == originIngress {
		return kindIngress
	}
	return kindInterCanister
}

var (
	descRounds = prometheus.NewDesc("canistry_replica_rounds_total",
		"Scheduler rounds executed.", nil, nil)
	descMessages = prometheus.NewDesc("canistry_replica_messages_total",
		"Messages executed, by kind (ingress, query, inter_canister, timer, heartbeat).", []string{"kind"}, nil)
	descInstructions = prometheus.NewDesc("canistry_replica_instructions_total",
		"Wasm instructions executed by replicated messages, by kind.", []string{"kind"}, nil)
	descCanisters = prometheus.NewDesc("canistry_replica_canisters",
		"Canisters on the replica (created, with or without code).", nil, nil)
	descLive = prometheus.NewDesc("canistry_replica_live_instances",
		"Canisters with a live Wasm instance (the rest are evicted or never loaded).", nil, nil)
	descHeight = prometheus.NewDesc("canistry_replica_certified_height",
		"States certified since the replica opened (one per round that committed).", nil, nil)
	descCertTime = prometheus.NewDesc("canistry_replica_certified_time_seconds",
		"The certified /time of the newest certified state.", nil, nil)
)

// collector reads the replica's state at scrape time.
type collector struct{ r *Replica }

func (c collector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	r := c.r
	ch <- prometheus.MustNewConstMetric(descRounds, prometheus.CounterValue, float64(r.stats.rounds.Load()))
	for i, k := range messageKinds {
		ch <- prometheus.MustNewConstMetric(descMessages, prometheus.CounterValue, float64(r.stats.messages[i].Load()), k)
		ch <- prometheus.MustNewConstMetric(descInstructions, prometheus.CounterValue, float64(r.stats.instructions[i].Load()), k)
	}
	r.mu.Lock()
	n := len(r.canisters)
	r.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descCanisters, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(descLive, prometheus.GaugeValue, float64(r.live.len()))
	ch <- prometheus.MustNewConstMetric(descHeight, prometheus.GaugeValue, float64(r.stats.certified.Load()))
	if cert := r.certified.Load(); cert != nil {
		ch <- prometheus.MustNewConstMetric(descCertTime, prometheus.GaugeValue, float64(cert.Time().UnixNano())/1e9)
	}
}

// withMetrics serves MetricsPath (the replica's series, its process's
// memory and CPU, the Go runtime's) and everything else with api.
func (r *Replica) withMetrics(api http.Handler) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{r}, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == MetricsPath && req.Method == http.MethodGet {
			metrics.ServeHTTP(w, req)
			return
		}
		api.ServeHTTP(w, req)
	})
}
