package gateway

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
)

// logInterceptor logs each request once it is answered: at debug level
// when it succeeded, at info level when it failed (a client's failure is
// the gateway operator's first clue), with the canister, the protocol that
// answered, the code and the duration. A stream (WatchUpgrade,
// UploadRelease) gets one line at its end, with the messages it received
// and sent instead of the protocol.
type logInterceptor struct {
	log *slog.Logger
}

func (l logInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		resp, err := next(ctx, req)
		attrs := []slog.Attr{
			slog.String("procedure", req.Spec().Procedure),
			slog.String("canister", req.Header().Get(HeaderCanister)),
			slog.Duration("duration", time.Since(start)),
		}
		if err != nil {
			attrs = append(attrs, slog.String("code", connect.CodeOf(err).String()), slog.String("err", err.Error()))
			l.log.LogAttrs(ctx, slog.LevelInfo, "request failed", attrs...)
			return resp, err
		}
		attrs = append(attrs, slog.String("protocol", resp.Header().Get(HeaderProtocol)))
		l.log.LogAttrs(ctx, slog.LevelDebug, "request", attrs...)
		return resp, nil
	}
}

// WrapStreamingClient leaves the gateway's own outgoing streams alone: it
// makes none through these handler options.
func (logInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l logInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		counted := &countingConn{StreamingHandlerConn: conn}
		err := next(ctx, counted)
		code := "ok"
		if err != nil {
			code = connect.CodeOf(err).String()
		}
		attrs := []slog.Attr{
			slog.String("procedure", conn.Spec().Procedure),
			slog.String("canister", conn.RequestHeader().Get(HeaderCanister)),
			slog.Duration("duration", time.Since(start)),
			slog.String("code", code),
			slog.Int64("received", counted.received.Load()),
			slog.Int64("sent", counted.sent.Load()),
		}
		if err != nil {
			attrs = append(attrs, slog.String("err", err.Error()))
			l.log.LogAttrs(ctx, slog.LevelInfo, "stream failed", attrs...)
			return err
		}
		l.log.LogAttrs(ctx, slog.LevelDebug, "stream", attrs...)
		return nil
	}
}

// countingConn counts the messages a stream received and sent. Counts are
// atomic: a handler may receive and send on different goroutines.
type countingConn struct {
	connect.StreamingHandlerConn
	received, sent atomic.Int64
}

func (c *countingConn) Receive(msg any) error {
	err := c.StreamingHandlerConn.Receive(msg)
	if err == nil {
		c.received.Add(1)
	}
	return err
}

func (c *countingConn) Send(msg any) error {
	err := c.StreamingHandlerConn.Send(msg)
	if err == nil {
		c.sent.Add(1)
	}
	return err
}
