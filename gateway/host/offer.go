package host

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// offerFresh is how long an offer of IcService is handed to requests
// before a new one is made. go-plugin's broker drops connection info the
// adapter has not dialed within 5 seconds of receiving it, so an adapter
// whose first request comes later could never dial an offer made only at
// its start. Until the adapter has dialed, each request therefore carries
// an offer at most offerFresh old (leaving 2 s for the request to reach
// the adapter and the adapter to dial).
const offerFresh = 3 * time.Second

// icOffer is IcService as served to one adapter process over its broker.
// Once the adapter has called through an offer, that offer's broker id is
// the one every later request carries: adapters dial once per broker id
// and keep the connection (the SDK does).
type icOffer struct {
	broker *plugin.GRPCBroker
	ics    *icService

	mu        sync.Mutex
	id        uint32
	offeredAt time.Time
	connected bool
}

// brokerID is the broker id for the next request, offering IcService
// anew (under a fresh id, so that go-plugin never sees one id accepted
// twice) when the adapter has not dialed and the last offer may expire.
func (o *icOffer) brokerID() uint32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.connected || (o.id != 0 && time.Since(o.offeredAt) < offerFresh) {
		return o.id
	}
	id := o.broker.NextId()
	o.id, o.offeredAt = id, time.Now()
	srv := &offeredIC{icService: o.ics, used: func() { o.dialed(id) }}
	go o.broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		adapterv1.RegisterIcServiceServer(s, srv)
		return s
	})
	return id
}

// dialed records the offer the adapter connected to.
func (o *icOffer) dialed(id uint32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.connected {
		o.connected, o.id = true, id
	}
}

// offeredIC is the IcService of one offer: it notes that the adapter uses
// it, then serves as the host's IcService.
type offeredIC struct {
	*icService
	used func()
}

func (s *offeredIC) Query(ctx context.Context, req *adapterv1.QueryRequest) (*adapterv1.QueryResponse, error) {
	s.used()
	return s.icService.Query(ctx, req)
}

func (s *offeredIC) Call(ctx context.Context, req *adapterv1.CallRequest) (*adapterv1.CallResponse, error) {
	s.used()
	return s.icService.Call(ctx, req)
}
