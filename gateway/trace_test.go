package gateway_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/canistry/canistry/gateway"
	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// syncBuffer is a log sink safe for the gateway's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMetricsTrace(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tel, err := gateway.NewTelemetry(tp)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(gateway.TraceLogHandler(slog.NewTextHandler(&logs, nil)))
	e := newEnvConfig(t, func(c *gateway.Config) { c.Telemetry = tel; c.Logger = log }, []string{"personal2"}, "2.0.0")
	_, err = e.client_().GetDocument(context.Background(), to(e.canister["2.0.0"], &personalv1.GetDocumentRequest{Key: "absent"}))
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("GetDocument: %v, want not_found", err)
	}

	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans.GetSpans() {
		byName[s.Name] = s
	}
	server, ok := byName[personalService+"/GetDocument"]
	if !ok {
		t.Fatalf("no server span among %v", names(spans.GetSpans()))
	}
	hop, ok := byName["adapter personal2"]
	if !ok {
		t.Fatalf("no adapter span among %v", names(spans.GetSpans()))
	}
	if hop.Parent.SpanID() != server.SpanContext.SpanID() {
		t.Errorf("adapter span's parent is %v, want the server span %v", hop.Parent.SpanID(), server.SpanContext.SpanID())
	}
	var icSpan *tracetest.SpanStub
	for _, s := range spans.GetSpans() {
		if strings.HasPrefix(s.Name, "ic.query ") || strings.HasPrefix(s.Name, "ic.call ") {
			icSpan = &s
		}
	}
	if icSpan == nil {
		t.Fatalf("no IC call span among %v", names(spans.GetSpans()))
	}
	if icSpan.Parent.SpanID() != hop.SpanContext.SpanID() || icSpan.SpanContext.TraceID() != server.SpanContext.TraceID() {
		t.Errorf("IC span %q is not a child of the adapter span in the request's trace", icSpan.Name)
	}
	// The request failed, so the gateway logged it, within its span.
	want := "trace_id=" + server.SpanContext.TraceID().String()
	if !strings.Contains(logs.String(), want) {
		t.Errorf("the request's log lacks %s:\n%s", want, logs.String())
	}
}

func names(ss tracetest.SpanStubs) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}
