package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/aviate-labs/agent-go/principal"
	"go.opentelemetry.io/otel/trace"

	"github.com/canistry/canistry/gateway/auth"
	"github.com/canistry/canistry/gateway/dashboard"
	"github.com/canistry/canistry/gateway/host"
	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/internal/gen/canistry/personal/v1/personalv1connect"
	"github.com/canistry/canistry/internal/gen/canistry/platform/v1/platformv1connect"
	"github.com/canistry/canistry/internal/gen/canistry/session/v1/sessionv1connect"
)

// IC is the gateway's access to the Internet Computer as its own
// identity, for its own reads (negotiation); *ic.Client is one. It never
// calls canisters for users: those calls go out as the user (Users).
type IC interface {
	host.IC
	canisterInfo
}

// DefaultNegotiationTTL is how long a canister's negotiated protocol is
// trusted without asking again. A changed interface is noticed at once
// anyway (a call fails and the gateway re-negotiates), so the TTL only
// bounds how long an upgrade that kept every method goes unnoticed, at
// the cost of one certified read_state per canister per TTL.
const DefaultNegotiationTTL = 5 * time.Second

// Config configures a Gateway.
type Config struct {
	Host *host.Host
	IC   IC
	// Users sends the adapters' calls as the user whose delegation the
	// request carries; its key is the gateway key delegations must end at.
	Users *delegated.Sender
	// Health, when set, is the grpchealth state the gateway serves (the
	// host reports adapter health into it).
	Health *Health
	Logger *slog.Logger
	// NegotiationTTL defaults to DefaultNegotiationTTL.
	NegotiationTTL time.Duration
	// Limits bound requests; zero fields take the defaults.
	Limits Limits
	// Registry is the registry canister the platform API
	// (canistry.platform.v1) is served over; without one (no Raw) the
	// platform services answer Unimplemented saying so.
	Registry principal.Principal
	// Telemetry receives the gateway's metrics (served at MetricsPath) and
	// traces; nil: a registry of its own and no tracing.
	Telemetry *Telemetry
	// FleetTTL is how long the registry's fleet gauges are cached between
	// scrapes; it defaults to DefaultFleetTTL.
	FleetTTL time.Duration
}

// Gateway is the Connect server of the stable API.
type Gateway struct {
	host   *host.Host
	ic     IC
	neg    *negotiator
	log    *slog.Logger
	health *Health
	limits Limits
	users  *delegated.Sender
	auth   *auth.Verifier
	rates  *userRates
	plat   *platform
	tel    *Telemetry
	tracer trace.Tracer
	meters *gatewayMetrics
	otel   connect.Interceptor
}

// New makes a gateway over a running host.
func New(cfg Config) (*Gateway, error) {
	if cfg.Host == nil || cfg.IC == nil || cfg.Users == nil {
		return nil, errors.New("gateway: Host, IC and Users are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NegotiationTTL <= 0 {
		cfg.NegotiationTTL = DefaultNegotiationTTL
	}
	if cfg.Health == nil {
		cfg.Health = NewHealth()
	}
	if cfg.FleetTTL <= 0 {
		cfg.FleetTTL = DefaultFleetTTL
	}
	if err := cfg.Limits.Validate(); err != nil {
		return nil, err
	}
	g := &Gateway{
		host: cfg.Host, ic: cfg.IC, log: cfg.Logger, health: cfg.Health, limits: cfg.Limits.withDefaults(),
		users: cfg.Users, auth: auth.New(cfg.Users.Key(), cfg.Users.RootKey()),
		rates: newUserRates(cfg.Limits.UserRate, cfg.Limits.UserBurst),
		neg:   newNegotiator(cfg.IC, cfg.Host, cfg.NegotiationTTL),
	}
	g.plat = &platform{g: g, id: cfg.Registry}
	if err := g.setTelemetry(cfg.Telemetry); err != nil {
		return nil, err
	}
	if err := g.registerFleet(cfg.FleetTTL); err != nil {
		return nil, err
	}
	return g, nil
}

// compressMinBytes is the smallest answer the gateway compresses when the
// client accepts it: gzip of a small answer costs more (a compressor reset
// per answer) than the bytes it saves.
const compressMinBytes = 1024

// Handler serves the stable APIs (personal and platform), the session
// service (without authentication), grpchealth and grpcreflect (v1 and
// v1alpha), the metrics and the dashboard (at "/") on one mux, within the
// gateway's limits.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	api := []connect.HandlerOption{
		connect.WithInterceptors(g.otel, metricsInterceptor(g.meters),
			logInterceptor{g.log}, deadlineInterceptor(g.limits.RequestTimeout)),
		connect.WithReadMaxBytes(g.limits.MaxMessageBytes),
		connect.WithCompressMinBytes(compressMinBytes),
	}
	mux.Handle(personalv1connect.NewPersonalServiceHandler(&personalService{g: g}, api...))
	mux.Handle(platformv1connect.NewStoreServiceHandler(&storeService{p: g.plat}, api...))
	mux.Handle(platformv1connect.NewInstallServiceHandler(&installService{p: g.plat}, api...))
	mux.Handle(platformv1connect.NewPublisherServiceHandler(&publisherService{p: g.plat}, api...))
	mux.Handle(platformv1connect.NewFleetServiceHandler(&fleetService{p: g.plat}, api...))
	mux.Handle(platformv1connect.NewCyclesServiceHandler(&cyclesService{p: g.plat}, api...))
	mux.Handle(platformv1connect.NewRolloutServiceHandler(&rolloutService{p: g.plat}, api...))
	small := connect.WithReadMaxBytes(64 << 10) // session, health and reflection requests are tiny
	mux.Handle(sessionv1connect.NewSessionServiceHandler(&sessionService{key: g.users.Key()}, small))
	mux.Handle(grpchealth.NewHandler(g.health.checker, small))
	reflector := grpcreflect.NewStaticReflector(personalv1connect.PersonalServiceName,
		platformv1connect.StoreServiceName, platformv1connect.InstallServiceName, platformv1connect.PublisherServiceName,
		platformv1connect.FleetServiceName, platformv1connect.CyclesServiceName,
		platformv1connect.RolloutServiceName,
		sessionv1connect.SessionServiceName, grpchealth.HealthV1ServiceName)
	mux.Handle(grpcreflect.NewHandlerV1(reflector, small))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector, small))
	mux.Handle(MetricsPath, g.tel.MetricsHandler())
	// The dashboard: every path no API claims (the API's are longer
	// patterns, so they win); its handler answers 404 for all but its files.
	mux.Handle("/", dashboard.Handler())
	return limited(mux, g.limits)
}

// Serve serves HTTP/1.1 and cleartext HTTP/2 (h2c, which gRPC clients
// need without TLS) on ln until ctx ends, then shuts down gracefully.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler:           g.Handler(),
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       g.limits.ReadTimeout,
		WriteTimeout:      g.limits.WriteTimeout,
		IdleTimeout:       g.limits.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("gateway: serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
