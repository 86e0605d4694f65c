package personal

import (
	"context"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// WithoutMessaging is embedded by adapters of versions before 3.0.0: it
// answers the messaging methods, which the gateway's capability check
// refuses before they get here, with Unimplemented naming the version that
// has them.
type WithoutMessaging struct{}

func noMessaging(c adapter.Call) error {
	return adapter.Errorf(adapter.CodeUnimplemented,
		"%s has no messaging (needs personal/3.0.0)", c.Target.Protocol)
}

// SendMessage implements personalv1.Server.
func (WithoutMessaging) SendMessage(_ context.Context, c adapter.Call, _ *personalv1.SendMessageRequest) (*personalv1.SendMessageResult, error) {
	return nil, noMessaging(c)
}

// ListMessages implements personalv1.Server.
func (WithoutMessaging) ListMessages(_ context.Context, c adapter.Call, _ *personalv1.ListMessagesRequest) (*personalv1.MessagePage, error) {
	return nil, noMessaging(c)
}

// AckMessages implements personalv1.Server.
func (WithoutMessaging) AckMessages(_ context.Context, c adapter.Call, _ []uint64) (uint32, error) {
	return 0, noMessaging(c)
}
