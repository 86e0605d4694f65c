package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/canistry/canistry/gateway"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// scrape reads the gateway's /metrics as a client without any delegation.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + gateway.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", gateway.MetricsPath, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value sums the series of name whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	sum, found := 0.0, false
series:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue series
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum, found
}

func mustValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	v, ok := value(fams, name, want)
	if !ok {
		var names []string
		for n := range fams {
			names = append(names, n)
		}
		t.Fatalf("no series %s%v among %v", name, want, names)
	}
	return v
}

const personalService = "canistry.personal.v1.PersonalService"

func TestMetricsRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"personal2"}, "2.0.0")
	cid := e.canister["2.0.0"]
	ctx := context.Background()
	c := e.client_()
	if _, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "absent"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("GetDocument of a missing key: %v, want not_found", err)
	}
	if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "k", Content: []byte("v")})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "k"})); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rawClient("garbage").GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "k"})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("garbage delegation: %v", err)
	}

	m := scrape(t, e.url)
	req := func(method, code, protocol string) float64 {
		return mustValue(t, m, "canistry_gateway_requests_total",
			map[string]string{"service": personalService, "method": method, "code": code, "protocol": protocol})
	}
	if v := req("GetDocument", "not_found", "personal/2"); v != 1 {
		t.Errorf("GetDocument not_found: %v, want 1", v)
	}
	if v := req("GetDocument", "ok", "personal/2"); v != 1 {
		t.Errorf("GetDocument ok: %v, want 1", v)
	}
	if v := req("PutDocument", "ok", "personal/2"); v != 1 {
		t.Errorf("PutDocument ok: %v, want 1", v)
	}
	if v := req("GetDocument", "unauthenticated", "none"); v != 1 {
		t.Errorf("GetDocument unauthenticated: %v, want 1", v)
	}
	if v := mustValue(t, m, "rpc_server_call_duration_seconds", map[string]string{"rpc_method": personalService + "/GetDocument"}); v != 3 {
		t.Errorf("GetDocument duration samples: %v, want 3", v)
	}
	if v := mustValue(t, m, "canistry_gateway_negotiation_lookups_total", map[string]string{"result": "miss"}); v < 1 {
		t.Errorf("negotiation misses: %v, want ≥ 1 (the first request)", v)
	}
	if v := mustValue(t, m, "canistry_gateway_negotiation_lookups_total", map[string]string{"result": "hit"}); v < 1 {
		t.Errorf("negotiation hits: %v, want ≥ 1 (within the TTL)", v)
	}
	verif := func(r string) float64 {
		return mustValue(t, m, "canistry_gateway_delegation_verifications_total", map[string]string{"result": r})
	}
	if ok, cached, refused := verif("ok"), verif("cached"), verif("refused"); ok != 1 || cached != 2 || refused != 1 {
		t.Errorf("delegation checks ok=%v cached=%v refused=%v, want 1, 2, 1", ok, cached, refused)
	}
	if v := mustValue(t, m, "canistry_gateway_adapter_up", map[string]string{"adapter": "personal2"}); v != 1 {
		t.Errorf("adapter up: %v, want 1", v)
	}
	if v := mustValue(t, m, "canistry_gateway_adapter_restarts_total", map[string]string{"adapter": "personal2"}); v != 0 {
		t.Errorf("adapter restarts: %v, want 0", v)
	}
	text := scrapeText(t, e.url)
	if strings.Contains(text, cid.String()) || strings.Contains(text, e.id.Sender().String()) {
		t.Error("/metrics shows a canister id or a user's principal")
	}

	// Kill the adapter: the supervisor restarts it and the counter moves.
	pid := e.host.Adapters()[0].PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m = scrape(t, e.url)
		r := mustValue(t, m, "canistry_gateway_adapter_restarts_total", map[string]string{"adapter": "personal2"})
		up := mustValue(t, m, "canistry_gateway_adapter_up", map[string]string{"adapter": "personal2"})
		if r == 1 && up == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after SIGKILL: restarts=%v up=%v, want 1 and 1", r, up)
		}
		time.Sleep(20 * time.Millisecond) // polling the scrape: the restart has no other signal outside the host
	}
}

func scrapeText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + gateway.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}
