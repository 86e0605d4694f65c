package gateway

import (
	"connectrpc.com/otelconnect"
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// MetricsPath is where the gateway serves its Prometheus metrics, on its
// own listener: the series carry no user data (no principals, no
// canister ids), so they need no delegation.
const MetricsPath = "/metrics"

// Telemetry is where the gateway's metrics and traces go. Metrics always
// go to a Prometheus registry of their own (OpenTelemetry instruments, the
// Prometheus exporter as the MeterProvider's reader); traces go to Traces,
// a no-op provider unless tracing was asked for.
type Telemetry struct {
	Registry *prometheus.Registry
	Meters   *sdkmetric.MeterProvider
	Traces   trace.TracerProvider
}

// NewTelemetry makes a registry and meter provider; tp nil means no
// tracing (a no-op provider, which costs nothing per request).
func NewTelemetry(tp trace.TracerProvider) (*Telemetry, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("gateway: prometheus exporter: %w", err)
	}
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return &Telemetry{Registry: reg, Meters: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp)), Traces: tp}, nil
}

// MetricsHandler serves the registry in the Prometheus text format.
func (t *Telemetry) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(t.Registry, promhttp.HandlerOpts{})
}

// meterName scopes the gateway's own instruments.
const meterName = "github.com/canistry/canistry/gateway"

// gatewayMetrics are the gateway's own instruments (otelconnect adds the
// RPC duration histograms).
type gatewayMetrics struct {
	requests metric.Int64Counter
}

// newGatewayMetrics registers the request counter and the observed series:
// negotiation cache, delegation verifications, adapter restarts and
// health, read from the counters the parts keep anyway at scrape time.
func newGatewayMetrics(g *Gateway) (*gatewayMetrics, error) {
	m := g.tel.Meters.Meter(meterName)
	requests, err := m.Int64Counter("canistry.gateway.requests",
		metric.WithDescription("Requests answered, by service, method, code and negotiated protocol (name/major)."))
	if err != nil {
		return nil, err
	}
	neg, err := m.Int64ObservableCounter("canistry.gateway.negotiation.lookups",
		metric.WithDescription("Negotiation cache lookups by result (hit: cached binding used; miss: certified read_state)."))
	if err != nil {
		return nil, err
	}
	verif, err := m.Int64ObservableCounter("canistry.gateway.delegation.verifications",
		metric.WithDescription("Delegation header checks by result: ok (verified), refused, cached (verified earlier)."))
	if err != nil {
		return nil, err
	}
	restarts, err := m.Int64ObservableCounter("canistry.gateway.adapter.restarts",
		metric.WithDescription("Adapter process restarts, per adapter."))
	if err != nil {
		return nil, err
	}
	up, err := m.Int64ObservableGauge("canistry.gateway.adapter.up",
		metric.WithDescription("1 while the adapter is serving, 0 while it is down or restarting."))
	if err != nil {
		return nil, err
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		hits, misses := g.neg.stats()
		o.ObserveInt64(neg, int64(hits), metric.WithAttributes(attrResult("hit")))
		o.ObserveInt64(neg, int64(misses), metric.WithAttributes(attrResult("miss")))
		s := g.auth.Stats()
		o.ObserveInt64(verif, int64(s.Verified), metric.WithAttributes(attrResult("ok")))
		o.ObserveInt64(verif, int64(s.Refused), metric.WithAttributes(attrResult("refused")))
		o.ObserveInt64(verif, int64(s.Cached), metric.WithAttributes(attrResult("cached")))
		serving := g.health.serving()
		for _, a := range g.host.Adapters() {
			name := metric.WithAttributes(attrAdapter(a.Name()))
			o.ObserveInt64(restarts, a.Restarts(), name)
			o.ObserveInt64(up, boolInt(serving[a.Name()]), name)
		}
		return nil
	}, neg, verif, restarts, up)
	if err != nil {
		return nil, err
	}
	return &gatewayMetrics{requests: requests}, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// setTelemetry wires the gateway's instruments and tracer: otelconnect's
// interceptor (rpc.server.call.duration histograms and the server span of
// each request) and the gateway's own counters.
func (g *Gateway) setTelemetry(t *Telemetry) error {
	if t == nil {
		var err error
		if t, err = NewTelemetry(nil); err != nil {
			return err
		}
	}
	g.tel = t
	g.tracer = t.Traces.Tracer(tracerName)
	ic, err := otelconnect.NewInterceptor(otelconnect.WithMeterProvider(t.Meters), otelconnect.WithTracerProvider(t.Traces))
	if err != nil {
		return fmt.Errorf("gateway: otelconnect: %w", err)
	}
	g.otel = ic
	g.meters, err = newGatewayMetrics(g)
	if err != nil {
		return fmt.Errorf("gateway: metrics: %w", err)
	}
	return nil
}
