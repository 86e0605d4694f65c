package personal3

import (
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// The messaging types of protocol/canister/personal/3.0.0.did.

type messageID struct {
	ID idl.Nat `ic:"id"`
}

type queued struct {
	ID     idl.Nat `ic:"id"`
	Reason string  `ic:"reason"`
}

type sendResult struct {
	Delivered    *messageID `ic:"delivered,variant"`
	Queued       *queued    `ic:"queued,variant"`
	Invalid      *string    `ic:"invalid,variant"`
	OutboxFull   *idl.Null  `ic:"outbox_full,variant"`
	Unauthorized *idl.Null  `ic:"unauthorized,variant"`
}

type inboxMessage struct {
	ID              idl.Nat             `ic:"id"`
	From            principal.Principal `ic:"from"`
	Body            string              `ic:"body"`
	SenderMessageID idl.Nat             `ic:"sender_message_id"`
	SentAt          idl.Int             `ic:"sent_at"`
	ReceivedAt      idl.Int             `ic:"received_at"`
}

type inboxPage struct {
	Messages   []inboxMessage `ic:"messages"`
	NextCursor *idl.Nat       `ic:"next_cursor"`
}
