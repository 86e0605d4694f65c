package gotest

import (
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// The Candid types of protocol/canister/personal/*.did as Go structs:
// records by `ic:"field"` tags, variants as structs of pointers with
// `ic:"name,variant"` (exactly one is set), opt as pointers.

// InitArg is the install and upgrade argument of every version.
type InitArg struct {
	Owner principal.Principal `ic:"owner"`
}

// Document is 2.0.0's and 3.0.0's stored document.
type Document struct {
	Key         string  `ic:"key"`
	Content     []byte  `ic:"content"`
	ContentType string  `ic:"content_type"`
	Revision    idl.Nat `ic:"revision"`
	UpdatedAt   idl.Int `ic:"updated_at"`
}

// Conflict is WriteError's conflict payload: the stored revision, if any.
type Conflict struct {
	Current *idl.Nat `ic:"current"`
}

// WriteError is the typed error of put_document, delete_document, grant and revoke.
type WriteError struct {
	Conflict     *Conflict `ic:"conflict,variant"`
	Invalid      *string   `ic:"invalid,variant"`
	NotFound     *idl.Null `ic:"not_found,variant"`
	Unauthorized *idl.Null `ic:"unauthorized,variant"`
}

// PutResult is put_document's result.
type PutResult struct {
	Ok  *Document   `ic:"ok,variant"`
	Err *WriteError `ic:"err,variant"`
}

// UnitResult is DeleteResult and GrantResult: variant { ok; err : WriteError }.
type UnitResult struct {
	Ok  *idl.Null   `ic:"ok,variant"`
	Err *WriteError `ic:"err,variant"`
}

// DocumentPage is list_documents' result.
type DocumentPage struct {
	Documents  []Document `ic:"documents"`
	NextCursor *string    `ic:"next_cursor"`
}

// Grant is one read grant of 3.0.0.
type Grant struct {
	Peer      principal.Principal `ic:"peer"`
	Prefix    string              `ic:"prefix"`
	GrantedAt idl.Int             `ic:"granted_at"`
}

// Envelope is deliver's argument.
type Envelope struct {
	ID     idl.Nat `ic:"id"`
	Body   string  `ic:"body"`
	SentAt idl.Int `ic:"sent_at"`
}

// MessageID is the payload of SendResult.delivered.
type MessageID struct {
	ID idl.Nat `ic:"id"`
}

// Queued is the payload of SendResult.queued.
type Queued struct {
	ID     idl.Nat `ic:"id"`
	Reason string  `ic:"reason"`
}

// SendResult is send's result.
type SendResult struct {
	Delivered    *MessageID `ic:"delivered,variant"`
	Queued       *Queued    `ic:"queued,variant"`
	Invalid      *string    `ic:"invalid,variant"`
	OutboxFull   *idl.Null  `ic:"outbox_full,variant"`
	Unauthorized *idl.Null  `ic:"unauthorized,variant"`
}

// InboxID is the payload of DeliverResult.ok.
type InboxID struct {
	InboxID idl.Nat `ic:"inbox_id"`
}

// DeliverError is DeliverResult's error.
type DeliverError struct {
	InboxFull    *idl.Null `ic:"inbox_full,variant"`
	Invalid      *string   `ic:"invalid,variant"`
	NotACanister *idl.Null `ic:"not_a_canister,variant"`
}

// DeliverResult is deliver's result.
type DeliverResult struct {
	Ok  *InboxID      `ic:"ok,variant"`
	Err *DeliverError `ic:"err,variant"`
}

// InboxMessage is one received message.
type InboxMessage struct {
	ID              idl.Nat             `ic:"id"`
	From            principal.Principal `ic:"from"`
	SenderMessageID idl.Nat             `ic:"sender_message_id"`
	Body            string              `ic:"body"`
	SentAt          idl.Int             `ic:"sent_at"`
	ReceivedAt      idl.Int             `ic:"received_at"`
}

// InboxPage is inbox's result.
type InboxPage struct {
	Messages   []InboxMessage `ic:"messages"`
	NextCursor *idl.Nat       `ic:"next_cursor"`
}

// OutboxMessage is one pending message with its delivery attempts.
type OutboxMessage struct {
	ID            idl.Nat             `ic:"id"`
	To            principal.Principal `ic:"to"`
	Body          string              `ic:"body"`
	CreatedAt     idl.Int             `ic:"created_at"`
	Attempts      idl.Nat             `ic:"attempts"`
	LastAttemptAt *idl.Int            `ic:"last_attempt_at"`
	LastError     *string             `ic:"last_error"`
}

// RetrySummary is retry_outbox's result.
type RetrySummary struct {
	Delivered idl.Nat `ic:"delivered"`
	Pending   idl.Nat `ic:"pending"`
}
