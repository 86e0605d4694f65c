package gateway

import (
	"context"
	"sync"

	"github.com/aviate-labs/agent-go/principal"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/canistry/canistry/gateway/host"
)

const tracerName = "github.com/canistry/canistry/gateway"

// startAdapterSpan opens the span of one request's hop through an adapter
// and wraps the user's IC so that the adapter's IC calls become its
// children. The adapter reaches the IC through the host's IcService on a
// context of its own (the trace context is not propagated into the plugin
// process), so the parent is carried in the scope instead.
func startAdapterSpan(ctx context.Context, tr trace.Tracer, b *binding, user host.IC) (context.Context, trace.Span, host.IC) {
	ctx, span := tr.Start(ctx, "adapter "+b.adapter.Name(), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("canistry.adapter", b.adapter.Name()),
			attribute.String("canistry.protocol", b.protocol)))
	if !span.IsRecording() {
		return ctx, span, user
	}
	return ctx, span, &tracedIC{next: user, tr: tr, parent: span.SpanContext()}
}

func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// tracedIC makes each IC call a span under the adapter's span.
type tracedIC struct {
	next   host.IC
	tr     trace.Tracer
	parent trace.SpanContext
}

func (t *tracedIC) start(ctx context.Context, kind, method string) (context.Context, trace.Span) {
	ctx = trace.ContextWithSpanContext(ctx, t.parent)
	return t.tr.Start(ctx, "ic."+kind+" "+method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("ic.method", method), attribute.String("ic.kind", kind)))
}

func (t *tracedIC) Query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	ctx, span := t.start(ctx, "query", method)
	reply, err := t.next.Query(ctx, canister, method, arg)
	endSpan(span, err)
	return reply, err
}

func (t *tracedIC) Call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	ctx, span := t.start(ctx, "call", method)
	reply, err := t.next.Call(ctx, canister, method, arg)
	endSpan(span, err)
	return reply, err
}

// CallEarly keeps the early hand-over of the traced IC (host.EarlyCaller);
// the span ends with the check.
func (t *tracedIC) CallEarly(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, func() error, error) {
	early, ok := t.next.(host.EarlyCaller)
	if !ok {
		reply, err := t.Call(ctx, canister, method, arg)
		return reply, func() error { return nil }, err
	}
	ctx, span := t.start(ctx, "call", method)
	reply, verified, err := early.CallEarly(ctx, canister, method, arg)
	if err != nil {
		endSpan(span, err)
		return nil, nil, err
	}
	return reply, sync.OnceValue(func() error {
		err := verified()
		endSpan(span, err)
		return err
	}), nil
}
