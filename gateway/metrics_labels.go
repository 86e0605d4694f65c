package gateway

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

func attrResult(r string) attribute.KeyValue  { return attribute.String("result", r) }
func attrAdapter(a string) attribute.KeyValue { return attribute.String("adapter", a) }

// metricsInterceptor counts each answered request. The labels are bounded:
// service and method come from the registered procedures, the code from
// Connect's fixed set, the protocol is cut to its name and major version
// (a canister's patch releases must not grow the series).
func metricsInterceptor(m *gatewayMetrics) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			resp, err := next(ctx, req)
			service, method := splitProcedure(req.Spec().Procedure)
			code, protocol := "ok", ""
			if err != nil {
				code = connect.CodeOf(err).String()
				var ce *connect.Error
				if errors.As(err, &ce) {
					protocol = ce.Meta().Get(HeaderProtocol)
				}
			} else if resp != nil {
				protocol = resp.Header().Get(HeaderProtocol)
			}
			m.requests.Add(ctx, 1, metric.WithAttributes(
				attribute.String("service", service), attribute.String("method", method),
				attribute.String("code", code), attribute.String("protocol", protocolLabel(protocol))))
			return resp, err
		}
	}
}

// splitProcedure turns "/pkg.Service/Method" into its two parts.
func splitProcedure(p string) (string, string) {
	service, method, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return service, method
}

// protocolLabel is "personal/2" for "personal/2.1.3", "none" when no
// protocol was negotiated (platform API, failures before negotiation).
// The value is the gateway's own, from a negotiation that parsed it: this
// runs on every request, so it only cuts the major out (no semver parse).
func protocolLabel(p string) string {
	name, ver, ok := strings.Cut(p, "/")
	major, _, _ := strings.Cut(ver, ".")
	if _, err := strconv.ParseUint(major, 10, 32); !ok || name == "" || err != nil {
		return "none"
	}
	return name + "/" + major
}
