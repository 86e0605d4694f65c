package main

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/canistry/canistry/gateway"
)

// gatewayTelemetry is the gateway's metrics registry and, when endpoint is
// set, an OTLP/HTTP trace exporter to it (http:// sends in cleartext).
// Without an endpoint there is no tracer at all: requests pay nothing for
// tracing. The returned stop flushes the spans still batched.
func gatewayTelemetry(ctx context.Context, endpoint string, log *slog.Logger) (*gateway.Telemetry, *slog.Logger, func(context.Context) error, error) {
	if endpoint == "" {
		tel, err := gateway.NewTelemetry(nil)
		return tel, log, func(context.Context) error { return nil }, err
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--otlp-endpoint %s: %w", endpoint, err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "canistry-gateway"))))
	tel, err := gateway.NewTelemetry(tp)
	if err != nil {
		return nil, nil, nil, err
	}
	// Logs written within a request carry its trace_id.
	return tel, slog.New(gateway.TraceLogHandler(log.Handler())), tp.Shutdown, nil
}
