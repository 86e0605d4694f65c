package adapter

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
)

// icDialer keeps one connection per broker id: the host serves IcService
// on a broker id for its whole life, and dialing per request would cost a
// handshake each time.
type icDialer struct {
	broker *plugin.GRPCBroker
	mu     sync.Mutex
	conns  map[uint32]adapterv1.IcServiceClient
}

func newICDialer(broker *plugin.GRPCBroker) *icDialer {
	return &icDialer{broker: broker, conns: map[uint32]adapterv1.IcServiceClient{}}
}

func (d *icDialer) client(id uint32) (adapterv1.IcServiceClient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.conns[id]; ok {
		return c, nil
	}
	conn, err := d.broker.Dial(id)
	if err != nil {
		// Without broker multiplexing go-plugin keeps a host's offer only 5 s;
		// a host must then offer again under a fresh id (Canistry's does) or
		// set GRPCBrokerMultiplex. Say so: the error is the host's to fix.
		return nil, fmt.Errorf("dial the host's IcService on broker id %d (the host's offer lapsed: it must offer again or set go-plugin's GRPCBrokerMultiplex): %w", id, err)
	}
	c := adapterv1.NewIcServiceClient(conn)
	d.conns[id] = c
	return c, nil
}

// CallFromContext builds the Call of one request from the metadata the
// host sets on it.
func (d *icDialer) CallFromContext(ctx context.Context) (Call, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	get := func(key string) string {
		if v := md.Get(key); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	target := Target{Canister: get(adapterproto.MetaCanister), Protocol: get(adapterproto.MetaProtocol)}
	if target.Canister == "" {
		return Call{}, status.Errorf(codes.InvalidArgument, "adapter: request metadata lacks %s", adapterproto.MetaCanister)
	}
	brokerID, err := strconv.ParseUint(get(adapterproto.MetaIcBroker), 10, 32)
	if err != nil {
		return Call{}, status.Errorf(codes.InvalidArgument, "adapter: request metadata %s: %v", adapterproto.MetaIcBroker, err)
	}
	client, err := d.client(uint32(brokerID))
	if err != nil {
		return Call{}, status.Error(codes.Unavailable, err.Error())
	}
	return Call{Target: target, IC: &icClient{svc: client, token: get(adapterproto.MetaIcToken)}}, nil
}

// icClient is the IC an adapter gets: the host's IcService with the
// request's capability token.
type icClient struct {
	svc   adapterv1.IcServiceClient
	token string
}

func (c *icClient) Query(ctx context.Context, method string, arg []byte) ([]byte, error) {
	resp, err := c.svc.Query(ctx, &adapterv1.QueryRequest{Token: c.token, Method: method, Arg: arg})
	if err != nil {
		return nil, icErrorFromStatus(err, "query", method)
	}
	return resp.GetReply(), nil
}

func (c *icClient) Call(ctx context.Context, method string, arg []byte) ([]byte, error) {
	resp, err := c.svc.Call(ctx, &adapterv1.CallRequest{Token: c.token, Method: method, Arg: arg})
	if err != nil {
		return nil, icErrorFromStatus(err, "call", method)
	}
	return resp.GetReply(), nil
}

// icErrorFromStatus turns an IcService error carrying an IcReject detail
// into *ICError, so adapters can inspect the IC's codes; any other failure
// (the host refusing the token, a broken connection) becomes an *Error
// with the status's code.
func icErrorFromStatus(err error, kind, method string) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("IC %s %s: %w", kind, method, err)
	}
	for _, d := range st.Details() {
		if r, ok := d.(*adapterv1.IcReject); ok {
			return &ICError{RejectCode: r.GetRejectCode(), ErrorCode: r.GetErrorCode(), Message: r.GetMessage()}
		}
	}
	return &Error{Code: Code(st.Code()), Message: fmt.Sprintf("IC %s %s: %s", kind, method, st.Message())}
}
