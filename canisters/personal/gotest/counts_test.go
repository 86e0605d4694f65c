package gotest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

// The count limits: each is refused once reached (typed error or reject),
// and a replacement of an existing entry still works.

// TestV1EntryLimit: 1.0.0 holds at most 4 096 entries, so keys() fits one reply.
func TestV1EntryLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.install(v1)
	a := e.owner
	key := func(i int) string { return fmt.Sprintf("k%04d/%s", i, strings.Repeat("x", 240)) }
	inParallel(t, 4096, func(i int) error {
		if err := callUnit(a, id, "put", key(i), []byte{byte(i)}); err != nil {
			return fmt.Errorf("put #%d: %w", i, err)
		}
		return nil
	})
	wantErr(t, "put #4097", callUnit(a, id, "put", "one more", []byte("x")),
		"personal/1.0.0: the store is full: it holds the limit of 4096 entries")
	if err := callUnit(a, id, "put", key(7), []byte("replaced")); err != nil {
		t.Fatalf("replacing an entry of a full store: %v", err)
	}
	keys := mustQuery[[]string](t, a, id, "keys")
	if len(keys) != 4096 || keys[0] != key(0) || keys[4095] != key(4095) {
		t.Fatalf("keys() of a full store: %d keys", len(keys))
	}
	if v := mustQuery[*[]byte](t, a, id, "get", key(7)); v == nil || string(*v) != "replaced" {
		t.Fatalf("get of the replaced entry = %v", v)
	}
	if v := mustQuery[*[]byte](t, a, id, "get", "one more"); v != nil {
		t.Fatalf("the refused entry was stored")
	}
}

// TestV3OutboxFull: at most 100 pending messages; the 101st send is
// #outbox_full and is not stored.
func TestV3OutboxFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	sender, old := e.install(v3), e.install(v1)
	inParallel(t, 100, func(i int) error {
		r, err := call[SendResult](a, sender, "send", old, fmt.Sprintf("message %d", i))
		if err == nil && r.Queued == nil {
			err = fmt.Errorf("%s, want queued", describeSend(r))
		}
		if err != nil {
			return fmt.Errorf("send #%d: %w", i, err)
		}
		return nil
	})
	if got := describeSend(send(t, a, sender, old, "one too many")); got != "outbox_full" {
		t.Fatalf("send #101 = %s, want outbox_full", got)
	}
	pending := outbox(t, a, sender)
	if len(pending) != 100 {
		t.Fatalf("outbox holds %d, want 100", len(pending))
	}
	for _, m := range pending {
		if m.Body == "one too many" {
			t.Fatal("the refused message is in the outbox")
		}
	}
	// After a cancel there is room again.
	if n := mustCall[idlNat](t, a, sender, "cancel_outbox", []idlNat{pending[0].Id}); u64(n) != 1 {
		t.Fatalf("cancel_outbox = %s", n.BigInt())
	}
	if r := send(t, a, sender, old, "fits now"); r.Queued == nil {
		t.Fatalf("send after a cancel = %s, want queued", describeSend(r))
	}
}

// TestV3InboxFull: at most 1 000 messages wait in an inbox; a sender's
// message then waits in its outbox ("recipient's inbox is full") and is
// delivered once the owner acks room free.
func TestV3InboxFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	sender, recipient := e.install(v3), e.install(v3)
	relay := e.installRelay()
	inParallel(t, 1000, func(i int) error {
		r, err := relayed[DeliverResult](a, relay, recipient, "deliver", Envelope{Id: nat(uint64(i)), Body: "filler", SentAt: intOf(0)})
		if err == nil && r.Ok == nil {
			err = fmt.Errorf("%s", describeDeliver(r))
		}
		if err != nil {
			return fmt.Errorf("deliver #%d: %w", i, err)
		}
		return nil
	})
	over, err := relayed[DeliverResult](a, relay, recipient, "deliver", Envelope{Id: nat(1000), Body: "over", SentAt: intOf(0)})
	if err != nil || describeDeliver(over) != "inbox_full" {
		t.Fatalf("deliver #1001 = %s, %v; want inbox_full", describeDeliver(over), err)
	}
	// A repeat of a held message is recognised even when the inbox is full.
	// (The fillers arrived in parallel, so look up where sender id 3 landed.)
	held := allInbox(t, e, recipient)
	var want string
	for _, m := range held {
		if u64(m.SenderMessageId) == 3 {
			want = fmt.Sprintf("ok inbox_id %s", m.Id.BigInt())
		}
	}
	if len(held) != 1000 || want == "" {
		t.Fatalf("the full inbox holds %d messages (sender id 3 at %q)", len(held), want)
	}
	if again, err := relayed[DeliverResult](a, relay, recipient, "deliver", Envelope{Id: nat(3), Body: "filler", SentAt: intOf(0)}); err != nil || describeDeliver(again) != want {
		t.Fatalf("repeat delivery to a full inbox = %s, %v; want %s", describeDeliver(again), err, want)
	}
	r := send(t, a, sender, recipient, "waits for room")
	if r.Queued == nil || r.Queued.Reason != "recipient's inbox is full" {
		t.Fatalf("send to a full inbox = %s, want queued: recipient's inbox is full", describeSend(r))
	}
	if n := mustCall[idlNat](t, a, recipient, "ack", []idlNat{nat(0)}); u64(n) != 1 {
		t.Fatalf("ack = %s", n.BigInt())
	}
	if s := mustCall[RetrySummary](t, a, sender, "retry_outbox"); u64(s.Delivered) != 1 || u64(s.Pending) != 0 {
		t.Fatalf("retry_outbox after ack = %s delivered, %s pending", s.Delivered.BigInt(), s.Pending.BigInt())
	}
	page := mustQuery[InboxPage](t, a, recipient, "inbox", optNat(998), nat(10))
	if len(page.Messages) != 2 || page.Messages[1].Body != "waits for room" || page.Messages[1].From.String() != sender.String() {
		t.Fatalf("the end of the inbox = %q", bodiesOf(page.Messages))
	}
}

// allInbox follows the inbox's next_cursor to the end.
func allInbox(t testing.TB, e *env, id principal.Principal) []InboxMessage {
	t.Helper()
	var all []InboxMessage
	var cursor *idlNat
	for range 100 {
		page := mustQuery[InboxPage](t, e.owner, id, "inbox", cursor, nat(100))
		all = append(all, page.Messages...)
		if page.NextCursor == nil {
			return all
		}
		cursor = page.NextCursor
	}
	t.Fatal("inbox paging did not end")
	return nil
}
