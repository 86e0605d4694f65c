package gotest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

func describeSend(r SendResult) string {
	switch {
	case r.Delivered != nil:
		return fmt.Sprintf("delivered id %s", r.Delivered.Id.BigInt())
	case r.Queued != nil:
		return fmt.Sprintf("queued id %s: %s", r.Queued.Id.BigInt(), r.Queued.Reason)
	case r.Invalid != nil:
		return "invalid " + *r.Invalid
	case r.OutboxFull != nil:
		return "outbox_full"
	case r.Unauthorized != nil:
		return "unauthorized"
	}
	return "empty variant"
}

func describeDeliver(r DeliverResult) string {
	switch {
	case r.Ok != nil:
		return fmt.Sprintf("ok inbox_id %s", r.Ok.InboxId.BigInt())
	case r.Err == nil:
		return "empty variant"
	case r.Err.InboxFull != nil:
		return "inbox_full"
	case r.Err.Invalid != nil:
		return "invalid " + *r.Err.Invalid
	case r.Err.NotACanister != nil:
		return "not_a_canister"
	}
	return "empty error variant"
}

func send(t testing.TB, a *agent.Agent, from, to principal.Principal, body string) SendResult {
	t.Helper()
	return mustCall[SendResult](t, a, from, "send", to, body)
}

func outbox(t testing.TB, a *agent.Agent, id principal.Principal) []OutboxMessage {
	t.Helper()
	return mustQuery[[]OutboxMessage](t, a, id, "outbox")
}

func inbox(t testing.TB, a *agent.Agent, id principal.Principal) []InboxMessage {
	t.Helper()
	return mustQuery[InboxPage](t, a, id, "inbox", noNat, nat(100)).Messages
}

func bodiesOf(messages []InboxMessage) []string {
	out := make([]string, len(messages))
	for i, m := range messages {
		out[i] = m.Body
	}
	return out
}

func idsOf(messages []InboxMessage) []idl.Nat {
	ids := make([]idl.Nat, len(messages))
	for i, m := range messages {
		ids[i] = m.Id
	}
	return ids
}

// TestV3SendDeliversAtOnce: a send between two 3.0.0 canisters is an
// inter-canister protocol() then deliver(); the recipient's owner pages
// and acks the inbox.
func TestV3SendDeliversAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	sender, recipient := e.install(v3), e.install(v3)

	before := nowNanos()
	for i, body := range []string{"hello", "ünïcode ✓", strings.Repeat("b", 16384)} {
		if got, want := describeSend(send(t, a, sender, recipient, body)), fmt.Sprintf("delivered id %d", i); got != want {
			t.Fatalf("send #%d = %s, want %s", i, got, want)
		}
	}
	if got := outbox(t, a, sender); len(got) != 0 {
		t.Fatalf("outbox after delivery holds %d messages", len(got))
	}
	got := inbox(t, a, recipient)
	if bodies := bodiesOf(got); len(bodies) != 3 || bodies[0] != "hello" || bodies[1] != "ünïcode ✓" || len(bodies[2]) != 16384 {
		t.Fatalf("inbox bodies = %.40q", bodies)
	}
	for i, m := range got {
		if m.From.String() != sender.String() || u64(m.SenderMessageId) != uint64(i) || u64(m.Id) != uint64(i) {
			t.Fatalf("inbox message %d = from %s sender id %s id %s", i, m.From, m.SenderMessageId.BigInt(), m.Id.BigInt())
		}
		if sent, recv := m.SentAt.BigInt().Int64(), m.ReceivedAt.BigInt().Int64(); sent < before-5e9 || recv < sent || recv > nowNanos()+5e9 {
			t.Fatalf("inbox message %d: sent_at %d, received_at %d", i, sent, recv)
		}
	}

	page := mustQuery[InboxPage](t, a, recipient, "inbox", noNat, nat(2))
	if len(page.Messages) != 2 || page.NextCursor == nil || u64(*page.NextCursor) != 1 {
		t.Fatalf("inbox page of 2 = %d messages, next %v", len(page.Messages), page.NextCursor)
	}
	page = mustQuery[InboxPage](t, a, recipient, "inbox", page.NextCursor, nat(2))
	if len(page.Messages) != 1 || u64(page.Messages[0].Id) != 2 || page.NextCursor != nil {
		t.Fatalf("inbox after cursor 1 = %d messages, next %v", len(page.Messages), page.NextCursor)
	}
	_, err := query[InboxPage](a, recipient, "inbox", noNat, nat(0))
	wantErr(t, "inbox with limit 0", err, "personal/3.0.0: limit must be at least 1")

	if n := mustCall[idl.Nat](t, a, recipient, "ack", []idl.Nat{nat(0), nat(2), nat(99)}); u64(n) != 2 {
		t.Fatalf("ack([0 2 99]) = %s, want 2", n.BigInt())
	}
	if n := mustCall[idl.Nat](t, a, recipient, "ack", []idl.Nat{nat(0)}); u64(n) != 0 {
		t.Fatalf("ack of an acked id = %s, want 0", n.BigInt())
	}
	if got := bodiesOf(inbox(t, a, recipient)); !slices.Equal(got, []string{"ünïcode ✓"}) {
		t.Fatalf("inbox after ack = %q", got)
	}
}

// TestV3SendHeldForOldRecipients: messages to 1.0.0 and 2.0.0 canisters wait
// in the outbox with attempts and reasons, in order per recipient; after the
// recipients upgrade to 3.0.0, retry_outbox delivers them in order, with the
// recipients' own data kept; cancel_outbox gives up on a message.
func TestV3SendHeldForOldRecipients(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	sender, old1, old2 := e.install(v3), e.install(v1), e.install(v2)
	if err := callUnit(a, old1, "put", "kept", []byte("v1 value")); err != nil {
		t.Fatal(err)
	}

	first := send(t, a, sender, old1, "first")
	if first.Queued == nil || u64(first.Queued.Id) != 0 || !strings.Contains(first.Queued.Reason, "recipient speaks personal/1.0.0; "+messagingVersion) {
		t.Fatalf("send to a 1.0.0 canister = %s, want queued with the recipient's protocol", describeSend(first))
	}
	second := send(t, a, sender, old1, "second")
	if second.Queued == nil || u64(second.Queued.Id) != 1 || !strings.Contains(second.Queued.Reason, "earlier messages to this recipient are pending") {
		t.Fatalf("second send to the same recipient = %s, want queued behind the first", describeSend(second))
	}
	toV2 := send(t, a, sender, old2, "to 2.0.0")
	if toV2.Queued == nil || !strings.Contains(toV2.Queued.Reason, "recipient speaks personal/2.0.0") {
		t.Fatalf("send to a 2.0.0 canister = %s", describeSend(toV2))
	}

	pending := outbox(t, a, sender)
	if len(pending) != 3 {
		t.Fatalf("outbox holds %d messages, want 3", len(pending))
	}
	wantOutbox := []struct {
		body     string
		to       principal.Principal
		attempts uint64
		lastErr  string // "" = null
	}{
		{"first", old1, 1, "recipient speaks personal/1.0.0; " + messagingVersion},
		{"second", old1, 0, ""},
		{"to 2.0.0", old2, 1, "recipient speaks personal/2.0.0; " + messagingVersion},
	}
	for i, w := range wantOutbox {
		m := pending[i]
		if m.Body != w.body || m.To.String() != w.to.String() || u64(m.Attempts) != w.attempts || u64(m.Id) != uint64(i) {
			t.Fatalf("outbox[%d] = %q to %s, %s attempts; want %q to %s, %d", i, m.Body, m.To, m.Attempts.BigInt(), w.body, w.to, w.attempts)
		}
		if w.lastErr == "" {
			if m.LastError != nil || m.LastAttemptAt != nil {
				t.Fatalf("outbox[%d] was never attempted but has last_error %v, last_attempt_at %v", i, m.LastError, m.LastAttemptAt)
			}
		} else if m.LastError == nil || *m.LastError != w.lastErr || m.LastAttemptAt == nil {
			t.Fatalf("outbox[%d] last_error = %v, last_attempt_at %v; want %q", i, m.LastError, m.LastAttemptAt, w.lastErr)
		}
	}

	summary := mustCall[RetrySummary](t, a, sender, "retry_outbox")
	if u64(summary.Delivered) != 0 || u64(summary.Pending) != 3 {
		t.Fatalf("retry_outbox before any upgrade = %s delivered, %s pending", summary.Delivered.BigInt(), summary.Pending.BigInt())
	}
	if got := outbox(t, a, sender); u64(got[0].Attempts) != 2 || u64(got[1].Attempts) != 0 {
		t.Fatalf("after a failed round, attempts = %s, %s; want 2 and 0 (the second waits behind the first)", got[0].Attempts.BigInt(), got[1].Attempts.BigInt())
	}

	if n := mustCall[idl.Nat](t, a, sender, "cancel_outbox", []idl.Nat{toV2.Queued.Id, nat(77)}); u64(n) != 1 {
		t.Fatalf("cancel_outbox = %s, want 1", n.BigInt())
	}

	e.mustUpgrade(old1, v3)
	summary = mustCall[RetrySummary](t, a, sender, "retry_outbox")
	if u64(summary.Delivered) != 2 || u64(summary.Pending) != 0 {
		t.Fatalf("retry_outbox after the upgrade = %s delivered, %s pending; want 2, 0", summary.Delivered.BigInt(), summary.Pending.BigInt())
	}
	if got := outbox(t, a, sender); len(got) != 0 {
		t.Fatalf("outbox after delivery holds %d messages", len(got))
	}
	received := inbox(t, a, old1)
	if got := bodiesOf(received); !slices.Equal(got, []string{"first", "second"}) {
		t.Fatalf("upgraded recipient's inbox = %q, want [first second] in order", got)
	}
	if received[0].From.String() != sender.String() || u64(received[1].SenderMessageId) != 1 {
		t.Fatalf("inbox message from %s with sender id %s", received[0].From, received[1].SenderMessageId.BigInt())
	}
	if doc := (docs{t, a, old1}).get("kept"); doc == nil || string(doc.Content) != "v1 value" || u64(doc.Revision) != 1 {
		t.Fatalf("the recipient's 1.0.0 value after its upgrade = %+v", doc)
	}
	if n := mustCall[idl.Nat](t, a, old1, "ack", idsOf(received)); u64(n) != 2 {
		t.Fatalf("ack = %s, want 2", n.BigInt())
	}
	if got := inbox(t, a, old1); len(got) != 0 {
		t.Fatalf("inbox after ack = %q", bodiesOf(got))
	}
	// The cancelled message never arrives, even once its recipient upgrades.
	e.mustUpgrade(old2, v3)
	if summary := mustCall[RetrySummary](t, a, sender, "retry_outbox"); u64(summary.Delivered) != 0 || u64(summary.Pending) != 0 {
		t.Fatalf("retry_outbox with an empty outbox = %s, %s", summary.Delivered.BigInt(), summary.Pending.BigInt())
	}
	if got := inbox(t, a, old2); len(got) != 0 {
		t.Fatalf("a cancelled message arrived: %q", bodiesOf(got))
	}
}

// TestV3RetryTimerDelivers: without retry_outbox, the canister's own
// recurring timer (30 s) delivers a held message once the 1.0.0 recipient
// has upgraded to 3.0.0 — also after the sender itself was upgraded, which
// drops timers (the actor body re-arms it). Takes 30–60 s of real time.
func TestV3RetryTimerDelivers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 30 s retry timer")
	}
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	sender, recipient := e.install(v3), e.install(v1)
	if r := send(t, a, sender, recipient, "held"); r.Queued == nil {
		t.Fatalf("send to 1.0.0 = %s, want queued", describeSend(r))
	}
	e.mustUpgrade(sender, v3)
	if got := outbox(t, a, sender); len(got) != 1 || got[0].Body != "held" {
		t.Fatalf("outbox after the sender's upgrade = %d messages", len(got))
	}
	e.mustUpgrade(recipient, v3)
	start := time.Now()
	delivered := waitFor(75*time.Second, func() bool { return len(inbox(t, a, recipient)) > 0 })
	if !delivered {
		t.Fatalf("the retry timer did not deliver within 75 s; outbox: %+v", outbox(t, a, sender))
	}
	t.Logf("the retry timer delivered %s after the recipient's upgrade", time.Since(start).Round(time.Second))
	if got := bodiesOf(inbox(t, a, recipient)); !slices.Equal(got, []string{"held"}) {
		t.Fatalf("inbox = %q", got)
	}
	if !waitFor(5*time.Second, func() bool { return len(outbox(t, a, sender)) == 0 }) {
		t.Fatalf("outbox still holds the delivered message")
	}
}

// TestV3MessagingArguments: send's and deliver's checks, the repeated
// delivery of one message, and strangers.
func TestV3MessagingArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.owner
	id := e.install(v3)
	other := e.install(v3)
	sends := []struct {
		name string
		to   principal.Principal
		body string
		want string
	}{
		{"to a user", a.Sender(), "x", "invalid recipient must be a canister principal"},
		{"empty body", other, "", "invalid body must not be empty"},
		{"body of 16 KiB + 1", other, strings.Repeat("b", 16385), "invalid body is 16385 bytes; the limit is 16384"},
		{"body of 5462 three-byte characters", other, strings.Repeat("€", 5462), "invalid body is 16386 bytes; the limit is 16384"},
	}
	for _, s := range sends {
		if got := describeSend(send(t, a, id, s.to, s.body)); got != s.want {
			t.Errorf("send %s = %s, want %s", s.name, got, s.want)
		}
	}
	if got := outbox(t, a, id); len(got) != 0 {
		t.Fatalf("refused sends left %d messages in the outbox", len(got))
	}
	// A send to a canister that does not exist waits too, with the call's reject.
	ghost := canisterID(9999)
	r := send(t, a, id, ghost, "to nobody")
	if r.Queued == nil || !strings.Contains(r.Queued.Reason, "call to recipient failed") {
		t.Fatalf("send to a missing canister = %s, want queued with the call failure", describeSend(r))
	}

	// deliver is for canisters: the owner's ingress call reaches it and is
	// refused as not a canister; a stranger's is refused by inspect.
	env := Envelope{Id: nat(5), Body: "direct", SentAt: idl.NewInt(1)}
	if got := describeDeliver(mustCall[DeliverResult](t, a, other, "deliver", env)); got != "not_a_canister" {
		t.Fatalf("owner's ingress deliver = %s", got)
	}
	_, err := call[DeliverResult](e.stranger, other, "deliver", env)
	wantErr(t, "stranger deliver", err, inspectRefused)
	// Any canister may deliver; a repeat (same caller, same id) is stored once.
	relay := e.installRelay()
	for range 2 {
		got, err := relayed[DeliverResult](a, relay, other, "deliver", env)
		if err != nil || describeDeliver(got) != "ok inbox_id 0" {
			t.Fatalf("deliver from a canister = %s, %v; want ok inbox_id 0", describeDeliver(got), err)
		}
	}
	if got, err := relayed[DeliverResult](a, relay, other, "deliver", Envelope{Id: nat(6), Body: "", SentAt: idl.NewInt(1)}); err != nil || describeDeliver(got) != "invalid body must not be empty" {
		t.Fatalf("deliver of an empty body = %s, %v", describeDeliver(got), err)
	}
	msgs := inbox(t, a, other)
	if len(msgs) != 1 || msgs[0].From.String() != relay.String() || msgs[0].Body != "direct" || u64(msgs[0].SenderMessageId) != 5 {
		t.Fatalf("inbox after delivering one message twice = %+v", msgs)
	}

	s := e.stranger
	strangerUpdates := []struct {
		method string
		args   []any
	}{
		{"send", []any{other, "x"}},
		{"ack", []any{[]idl.Nat{nat(0)}}},
		{"retry_outbox", nil},
		{"cancel_outbox", []any{[]idl.Nat{nat(0)}}},
	}
	for _, u := range strangerUpdates {
		wantErr(t, "stranger "+u.method, s.Call(other, u.method, u.args, []any{}), inspectRefused)
	}
	_, err = query[InboxPage](s, other, "inbox", noNat, nat(10))
	wantErr(t, "stranger inbox", err, notOwner)
	_, err = query[[]OutboxMessage](s, id, "outbox")
	wantErr(t, "stranger outbox", err, notOwner)
	if got, err := relayed[SendResult](s, relay, id, "send", other, "x"); err != nil || describeSend(got) != "unauthorized" {
		t.Fatalf("send from a canister = %s, %v; want unauthorized", describeSend(got), err)
	}
	for _, u := range strangerUpdates[1:] {
		var out idl.Nat
		err := relayCall(s, relay, other, u.method, u.args, []any{&out})
		wantErr(t, u.method+" from a canister", err, "caller "+relay.String()+" "+notOwner)
	}
	if got := inbox(t, a, other); len(got) != 1 {
		t.Fatalf("strangers changed the inbox: %d messages", len(got))
	}
}
