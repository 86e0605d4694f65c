package hosttest

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	"github.com/canistry/canistry/plugins/motoko"
)

// icConns dials the host's IcService once per broker id and reuses it.
type icConns struct {
	broker *plugin.GRPCBroker
	mu     sync.Mutex
	conns  map[uint32]adapterv1.IcServiceClient
}

func (c *icConns) get(id uint32) (adapterv1.IcServiceClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.conns[id]; ok {
		return cl, nil
	}
	conn, err := c.broker.Dial(id)
	if err != nil {
		return nil, fmt.Errorf("dial IcService at broker id %d: %w", id, err)
	}
	cl := adapterv1.NewIcServiceClient(conn)
	c.conns[id] = cl
	return cl, nil
}

// canisterIC is one request's access to its canister.
type canisterIC struct {
	client adapterv1.IcServiceClient
	token  string
}

// requestIC builds the request's IC from its metadata.
func (c *icConns) requestIC(ctx context.Context) (*canisterIC, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	one := func(k string) string {
		if v := md.Get(k); len(v) == 1 {
			return v[0]
		}
		return ""
	}
	id, err := strconv.ParseUint(one(adapterproto.MetaIcBroker), 10, 32)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "bad %s metadata: %v", adapterproto.MetaIcBroker, err)
	}
	cl, err := c.get(uint32(id))
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &canisterIC{client: cl, token: one(adapterproto.MetaIcToken)}, nil
}

// The host's status (with its IcReject detail) is passed on, with an
// InterfaceMismatch detail added where the reject is Motoko's sign that the
// call did not fit the canister's interface, as a real adapter does.
func (ic *canisterIC) query(ctx context.Context, method string, arg []byte) ([]byte, error) {
	resp, err := ic.client.Query(ctx, &adapterv1.QueryRequest{Token: ic.token, Method: method, Arg: arg}, grpc.WaitForReady(true))
	return resp.GetReply(), markMismatch(err, method)
}

func (ic *canisterIC) call(ctx context.Context, method string, arg []byte) ([]byte, error) {
	resp, err := ic.client.Call(ctx, &adapterv1.CallRequest{Token: ic.token, Method: method, Arg: arg}, grpc.WaitForReady(true))
	return resp.GetReply(), markMismatch(err, method)
}

func markMismatch(err error, method string) error {
	st, ok := status.FromError(err)
	if !ok || err == nil {
		return err
	}
	for _, d := range st.Details() {
		if r, ok := d.(*adapterv1.IcReject); ok && motoko.InterfaceMismatch(r.GetMessage()) {
			return mismatch(st, method, r.GetMessage())
		}
	}
	return err
}

// mismatch adds an InterfaceMismatch detail to st.
func mismatch(st *status.Status, method, reason string) error {
	withDetail, err := st.WithDetails(&adapterv1.InterfaceMismatch{Method: method, Reason: reason})
	if err != nil {
		return st.Err()
	}
	return withDetail.Err()
}
