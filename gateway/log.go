package gateway

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
)

// logInterceptor logs each request once it is answered: at debug level
// when it succeeded, at info level when it failed (a client's failure is
// the gateway operator's first clue), with the canister, the protocol that
// answered, the code and the duration.
func logInterceptor(log *slog.Logger) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
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
				log.LogAttrs(ctx, slog.LevelInfo, "request failed", attrs...)
				return resp, err
			}
			attrs = append(attrs, slog.String("protocol", resp.Header().Get(HeaderProtocol)))
			log.LogAttrs(ctx, slog.LevelDebug, "request", attrs...)
			return resp, nil
		}
	}
}
