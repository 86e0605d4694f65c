package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOTLPEndpointExports: with an endpoint, spans reach it over OTLP/HTTP
// (flushed by stop) and logs within a span carry its trace_id; without
// one, the tracer records nothing.
func TestOTLPEndpointExports(t *testing.T) {
	got := make(chan int, 4)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
			got <- len(body)
		}
	}))
	defer collector.Close()
	var logs bytes.Buffer
	tel, log, stop, err := gatewayTelemetry(context.Background(), collector.URL+"/v1/traces", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tel.Traces.Tracer("test").Start(context.Background(), "request")
	log.InfoContext(ctx, "within")
	span.End()
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-got:
		if n == 0 {
			t.Error("empty OTLP export")
		}
	default:
		t.Fatal("the collector received no OTLP/HTTP export")
	}
	if want := "trace_id=" + span.SpanContext().TraceID().String(); !strings.Contains(logs.String(), want) {
		t.Errorf("log %q lacks %s", logs.String(), want)
	}

	off, _, _, err := gatewayTelemetry(context.Background(), "", slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, s := off.Traces.Tracer("test").Start(context.Background(), "request"); s.IsRecording() {
		t.Error("without --otlp-endpoint a span records")
	}
}
