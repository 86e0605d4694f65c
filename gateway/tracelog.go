package gateway

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// TraceLogHandler adds trace_id and span_id to every record written with
// a context inside a span, so that a request's logs and its trace can be
// found from one another. Records without a span pass unchanged.
func TraceLogHandler(h slog.Handler) slog.Handler { return &traceLog{h} }

type traceLog struct{ slog.Handler }

func (t *traceLog) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return t.Handler.Handle(ctx, r)
}

func (t *traceLog) WithAttrs(as []slog.Attr) slog.Handler { return &traceLog{t.Handler.WithAttrs(as)} }
func (t *traceLog) WithGroup(name string) slog.Handler    { return &traceLog{t.Handler.WithGroup(name)} }
