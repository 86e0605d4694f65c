package gateway

import (
	"context"

	"connectrpc.com/connect"

	"github.com/canistry/canistry/gateway/auth"
	sessionv1 "github.com/canistry/canistry/internal/gen/canistry/session/v1"
	"github.com/canistry/canistry/internal/gen/canistry/session/v1/sessionv1connect"
)

// HeaderDelegation carries the user's delegation chain to the gateway key.
const HeaderDelegation = auth.Header

// sessionService tells clients which key to delegate to.
type sessionService struct {
	sessionv1connect.UnimplementedSessionServiceHandler
	key []byte
}

func (s *sessionService) GetGatewayKey(context.Context, *connect.Request[sessionv1.GetGatewayKeyRequest]) (*connect.Response[sessionv1.GetGatewayKeyResponse], error) {
	return connect.NewResponse(&sessionv1.GetGatewayKeyResponse{PublicKey: s.key}), nil
}
