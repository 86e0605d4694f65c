package personal2

import (
	"context"

	"github.com/canistry/canistry/sdk/adapter"
)

func noMessaging(c adapter.Call) error {
	return adapter.Errorf(adapter.CodeUnimplemented,
		"%s has no messaging (needs personal/3.0.0)", c.Target.Protocol)
}

// SendMessage is not in 2.x; the gateway refuses it before it gets here.
func (Adapter) SendMessage(_ context.Context, c adapter.Call, _ *adapter.SendMessageRequest) (*adapter.SendMessageResult, error) {
	return nil, noMessaging(c)
}

// ListMessages is not in 2.x.
func (Adapter) ListMessages(_ context.Context, c adapter.Call, _ *adapter.ListMessagesRequest) (*adapter.MessagePage, error) {
	return nil, noMessaging(c)
}

// AckMessages is not in 2.x.
func (Adapter) AckMessages(_ context.Context, c adapter.Call, _ []uint64) (uint32, error) {
	return 0, noMessaging(c)
}
