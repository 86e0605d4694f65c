package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
)

// Limits bound what one client can make the gateway hold: every input is
// bounded before it costs memory or a goroutine for long.
type Limits struct {
	// MaxMessageBytes bounds a request message after decompression, for
	// every protocol (Connect, gRPC, gRPC-Web; JSON and binary): connect-go
	// stops inflating at the bound, so a small gzip bomb costs no more than
	// the bound. Default DefaultMaxMessageBytes.
	MaxMessageBytes int
	// MaxBodyBytes bounds the body as sent (compressed or not); default
	// MaxMessageBytes plus framing.
	MaxBodyBytes int64
	// MaxConcurrent bounds the requests served at once; the next is shed
	// at once with resource_exhausted rather than queued. Default
	// DefaultMaxConcurrent.
	MaxConcurrent int
	// UserRate is each user's requests a second (the sender of the
	// request's delegation), with bursts of UserBurst (default twice the
	// rate); 0 allows any rate.
	UserRate  float64
	UserBurst int
	// RequestTimeout is the deadline of a request whose client set none
	// (default DefaultRequestTimeout); the adapter call and its IC calls
	// run under it and end when the client goes away.
	RequestTimeout time.Duration
	// ReadTimeout bounds reading one request with its body (a client that
	// sends a byte a second is cut off); WriteTimeout bounds writing its
	// answer; IdleTimeout closes kept-alive connections nobody uses.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// The defaults: the IC takes at most 2 MiB in one ingress message, and a
// JSON client's base64 makes that ~2.7 MiB, so 3 MiB is "a little over
// what the IC accepts"; anything larger could never reach a canister.
const (
	DefaultMaxMessageBytes = 3 << 20
	DefaultMaxConcurrent   = 512
	DefaultRequestTimeout  = 45 * time.Second
	DefaultReadTimeout     = 30 * time.Second
	DefaultWriteTimeout    = 60 * time.Second
	DefaultIdleTimeout     = 120 * time.Second
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = int64(l.MaxMessageBytes) + 64<<10
	}
	if l.MaxConcurrent <= 0 {
		l.MaxConcurrent = DefaultMaxConcurrent
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = DefaultReadTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = DefaultWriteTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = DefaultIdleTimeout
	}
	return l
}

// Validate refuses limits that make no sense, for flags.
func (l Limits) Validate() error {
	if l.MaxMessageBytes < 0 || l.MaxBodyBytes < 0 || l.MaxConcurrent < 0 || l.UserRate < 0 || l.UserBurst < 0 {
		return errors.New("gateway limits must not be negative")
	}
	if l.RequestTimeout < 0 || l.ReadTimeout < 0 || l.WriteTimeout < 0 || l.IdleTimeout < 0 {
		return errors.New("gateway timeouts must not be negative")
	}
	return nil
}

// limited wraps next with the body bound and load shedding. Refusals are
// written in the client's own protocol (connect.ErrorWriter), so a gRPC
// client sees a gRPC status and a Connect client a Connect error.
func limited(next http.Handler, l Limits) http.Handler {
	slots := make(chan struct{}, l.MaxConcurrent)
	errs := connect.NewErrorWriter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			err := connect.NewError(connect.CodeResourceExhausted, fmt.Errorf(
				"the gateway is serving %d requests, its limit; retry with backoff", l.MaxConcurrent))
			_ = errs.Write(w, r, err)
			return
		}
		bound := l.MaxBodyBytes
		if r.URL.Path == platformv1connect.PublisherServiceUploadReleaseProcedure {
			// A stream of chunks (each message bounded as any other), each
			// forwarded to the IC before the next is read: it may take
			// longer than one message's read and write timeouts.
			bound = max(bound, uploadBodyBytes)
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Now().Add(max(l.ReadTimeout, uploadTimeout)))
			_ = rc.SetWriteDeadline(time.Now().Add(max(l.WriteTimeout, uploadTimeout)))
		}
		if r.ContentLength > bound {
			err := connect.NewError(connect.CodeResourceExhausted, fmt.Errorf(
				"the request body is %d bytes; the gateway accepts at most %d", r.ContentLength, bound))
			_ = errs.Write(w, r, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, bound)
		next.ServeHTTP(w, r)
	})
}

// deadlineInterceptor gives a request without a client deadline the
// gateway's: nothing an adapter does for it outlives RequestTimeout.
func deadlineInterceptor(d time.Duration) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, d)
				defer cancel()
			}
			return next(ctx, req)
		}
	}
}
