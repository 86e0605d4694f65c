package adaptertest

import (
	"testing"

	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// checkMessaging: with CAPABILITY_MESSAGING a message to another canister
// of the version is delivered (or queued with a reason) and can be read
// and acknowledged; without it the messaging methods are refused.
func (s *suite) checkMessaging(t *testing.T) {
	if !s.has(personalv1.CapabilityMessaging) {
		_, err := s.c.send(ctx(t), s.c.canister.String(), "hello")
		wantCode(t, "SendMessage without "+string(personalv1.CapabilityMessaging), err, writeRefusals...)
		_, err = s.c.inbox(ctx(t), &personalv1.ListMessagesRequest{})
		wantCode(t, "ListMessages without "+string(personalv1.CapabilityMessaging), err, writeRefusals...)
		return
	}
	inbox, err := s.c.inbox(ctx(t), &personalv1.ListMessagesRequest{})
	if err != nil || len(inbox.Messages) != 0 {
		t.Fatalf("ListMessages of a new canister = %+v, %v; want empty", inbox, err)
	}
	_, err = s.c.send(ctx(t), "not a principal", "hello")
	wantCode(t, "SendMessage to a malformed principal", err, adapter.CodeInvalidArgument)
	_, err = s.c.inbox(ctx(t), &personalv1.ListMessagesRequest{PageToken: "%%% not a token %%%"})
	wantCode(t, "ListMessages with a malformed page token", err, adapter.CodeInvalidArgument)

	s.checkQueuedForOlderRecipient(t)
	peer := s.peer(t)
	_, err = s.c.send(ctx(t), peer.canister.String(), "")
	wantCode(t, "SendMessage with an empty body", err, adapter.CodeInvalidArgument)
	res, err := s.c.send(ctx(t), peer.canister.String(), "hello, peer")
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if !res.Delivered {
		if res.Reason == "" {
			t.Errorf("SendMessage queued the message without a reason")
		}
		t.Logf("the replica queued the message (%s); delivery not checked", res.Reason)
		return
	}
	got, err := peer.inbox(ctx(t), &personalv1.ListMessagesRequest{})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("recipient's ListMessages = %+v, %v; want the one message", got, err)
	}
	m := got.Messages[0]
	if m.From != s.c.canister.String() || m.Body != "hello, peer" || m.SentAt.IsZero() || m.ReceivedAt.IsZero() {
		t.Errorf("received %+v, want from %s with body %q and both times", m, s.c.canister, "hello, peer")
	}
	if n, err := peer.ack(ctx(t), []uint64{m.ID, m.ID + 1000}); err != nil || n != 1 {
		t.Errorf("AckMessages(received, unknown) = %d, %v; want 1", n, err)
	}
	if got, err := peer.inbox(ctx(t), &personalv1.ListMessagesRequest{}); err != nil || len(got.Messages) != 0 {
		t.Errorf("ListMessages after ack = %+v, %v; want empty", got, err)
	}
}

// checkQueuedForOlderRecipient: a recipient on a version without messaging
// (this repository's personal/1.0.0) gets the message once it upgrades;
// until then SendMessage answers queued, with the reason.
func (s *suite) checkQueuedForOlderRecipient(t *testing.T) {
	old := s.oldPeer(t)
	res, err := s.c.send(ctx(t), old.String(), "for later")
	if err != nil {
		t.Fatalf("SendMessage to a personal/1.0.0 canister: %v", err)
	}
	if res.Delivered || res.Reason == "" {
		t.Errorf("SendMessage to a personal/1.0.0 canister = %+v, want queued with a reason", res)
	}
}
