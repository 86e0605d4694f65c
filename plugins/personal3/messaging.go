package personal3

import (
	"context"
	"strconv"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
	"github.com/canistry/canistry/plugins/internal/personal"
	"github.com/canistry/canistry/plugins/personal2"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// SendMessage maps onto send: delivered now, or queued in the outbox until
// the recipient supports messaging.
func (Adapter) SendMessage(ctx context.Context, c adapter.Call, req *personalv1.SendMessageRequest) (*personalv1.SendMessageResult, error) {
	to, err := principal.Decode(req.To)
	if err != nil {
		return nil, adapter.Errorf(adapter.CodeInvalidArgument, "recipient %q is not a principal: %v", req.To, err)
	}
	var res personal_3_0_0.SendResult
	if err := adapter.CallCandid(ctx, c.IC, "send", []any{to, req.Body}, []any{&res}); err != nil {
		return nil, personal.RejectError(err)
	}
	switch {
	case res.Delivered != nil:
		return &personalv1.SendMessageResult{MessageID: res.Delivered.Id.BigInt().Uint64(), Delivered: true}, nil
	case res.Queued != nil:
		return &personalv1.SendMessageResult{MessageID: res.Queued.Id.BigInt().Uint64(), Reason: res.Queued.Reason}, nil
	case res.Invalid != nil:
		return nil, adapter.Errorf(adapter.CodeInvalidArgument, "%s", *res.Invalid)
	case res.OutboxFull != nil:
		return nil, adapter.Errorf(adapter.CodeResourceExhausted, "the outbox is full: 100 messages wait for delivery")
	case res.Unauthorized != nil:
		return nil, adapter.Errorf(adapter.CodePermissionDenied, "the caller is not the owner of this canister")
	default:
		return nil, adapter.Errorf(adapter.CodeInternal, "send answered an unknown SendResult")
	}
}

// ListMessages maps onto inbox(cursor, limit); the page token wraps the
// canister's inbox-id cursor.
func (Adapter) ListMessages(ctx context.Context, c adapter.Call, req *personalv1.ListMessagesRequest) (*personalv1.MessagePage, error) {
	cursor, err := inboxCursor(req.PageToken)
	if err != nil {
		return nil, err
	}
	var res personal_3_0_0.InboxPage
	limit := idl.NewNat(uint64(personalv1.PageSize(req.PageSize)))
	if err := adapter.QueryCandid(ctx, c.IC, "inbox", []any{cursor, limit}, []any{&res}); err != nil {
		return nil, personal.RejectError(err)
	}
	page := &personalv1.MessagePage{Messages: make([]personalv1.Message, 0, len(res.Messages))}
	for _, m := range res.Messages {
		page.Messages = append(page.Messages, personalv1.Message{
			ID:         m.Id.BigInt().Uint64(),
			From:       m.From.String(),
			Body:       m.Body,
			SentAt:     personal2.TimeFromNanos(m.SentAt),
			ReceivedAt: personal2.TimeFromNanos(m.ReceivedAt),
		})
	}
	if res.NextCursor != nil {
		page.NextPageToken = adapter.EncodePageToken(res.NextCursor.BigInt().String())
	}
	return page, nil
}

func inboxCursor(token string) (*idl.Nat, error) {
	if token == "" {
		return nil, nil
	}
	raw, err := adapter.DecodePageToken(token)
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return nil, adapter.Errorf(adapter.CodeInvalidArgument, "malformed page token %q", token)
	}
	n := idl.NewNat(id)
	return &n, nil
}

// AckMessages maps onto ack.
func (Adapter) AckMessages(ctx context.Context, c adapter.Call, ids []uint64) (uint32, error) {
	nats := make([]idl.Nat, len(ids))
	for i, id := range ids {
		nats[i] = idl.NewNat(id)
	}
	var acked idl.Nat
	if err := adapter.CallCandid(ctx, c.IC, "ack", []any{nats}, []any{&acked}); err != nil {
		return 0, personal.RejectError(err)
	}
	return uint32(acked.BigInt().Uint64()), nil
}
