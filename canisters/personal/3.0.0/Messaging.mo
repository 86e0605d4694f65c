/// Inbox and outbox bookkeeping of protocol personal/3.0.0. The actor owns the
/// inter-canister calls; this module keeps the state transitions pure.
import List "mo:core/List";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Principal "mo:core/Principal";
import Text "mo:core/Text";
import Limits "Limits";
import Types "Types";

module {
  public type Inbox = Map.Map<Nat, Types.InboxMessage>;
  /// (sender, sender's message id) → inbox id, for messages still in the inbox.
  public type InboxIndex = Map.Map<Text, Nat>;
  public type Outbox = Map.Map<Nat, Types.OutboxMessage>;

  /// Deliveries use bounded-wait calls, whose outcome can be unknown to the
  /// sender; it then retries, so the recipient recognises a message it holds.
  public func dedupeKey(from : Principal, senderMessageId : Nat) : Text {
    Principal.toText(from) # "/" # Nat.toText(senderMessageId);
  };

  /// Validates and stores a delivered message; a repeat of a message still in
  /// the inbox returns its existing id.
  public func accept(inbox : Inbox, index : InboxIndex, nextId : Nat, from : Principal, message : Types.Envelope, now : Int) : Types.DeliverResult {
    if (not Principal.isCanister(from)) return #err(#not_a_canister);
    switch (Limits.checkBody(message.body)) { case (?reason) return #err(#invalid reason); case null {} };
    let key = dedupeKey(from, message.id);
    switch (Map.get(index, Text.compare, key)) {
      case (?existing) return #ok({ inbox_id = existing });
      case null {};
    };
    if (Map.size(inbox) >= Limits.MAX_INBOX) return #err(#inbox_full);
    Map.add(
      inbox,
      Nat.compare,
      nextId,
      { id = nextId; from; sender_message_id = message.id; body = message.body; sent_at = message.sent_at; received_at = now },
    );
    Map.add(index, Text.compare, key, nextId);
    #ok({ inbox_id = nextId });
  };

  /// Messages with id greater than cursor, ascending, at most limit of them
  /// and at most Limits.PAGE_BYTE_BUDGET body bytes (but always one).
  public func page(inbox : Inbox, cursor : ?Nat, limit : Nat) : Types.InboxPage {
    let start = switch cursor { case (?c) c + 1; case null 0 };
    let messages = List.empty<Types.InboxMessage>();
    var bytes = 0;
    var lastId = 0;
    for ((id, message) in Map.entriesFrom(inbox, Nat.compare, start)) {
      let size = Text.encodeUtf8(message.body).size();
      let count = List.size(messages);
      if (count >= limit or (count > 0 and bytes + size > Limits.PAGE_BYTE_BUDGET)) {
        return { messages = List.toArray(messages); next_cursor = ?lastId };
      };
      List.add(messages, message);
      bytes += size;
      lastId := id;
    };
    { messages = List.toArray(messages); next_cursor = null };
  };

  /// Removes acknowledged messages; returns how many were removed.
  public func ack(inbox : Inbox, index : InboxIndex, ids : [Nat]) : Nat {
    var removed = 0;
    for (id in ids.values()) {
      switch (Map.take(inbox, Nat.compare, id)) {
        case (?message) {
          Map.remove(index, Text.compare, dedupeKey(message.from, message.sender_message_id));
          removed += 1;
        };
        case null {};
      };
    };
    removed;
  };

  public func hasPendingFor(outbox : Outbox, to : Principal) : Bool {
    Map.any<Nat, Types.OutboxMessage>(outbox, func(_, m) = m.to == to);
  };

  /// Records a failed delivery attempt, unless the message was cancelled meanwhile.
  public func recordFailure(outbox : Outbox, id : Nat, reason : Text, now : Int) {
    switch (Map.get(outbox, Nat.compare, id)) {
      case (?m) Map.add(outbox, Nat.compare, id, { m with attempts = m.attempts + 1; last_attempt_at = ?now; last_error = ?reason });
      case null {};
    };
  };

  public func describe(error : Types.DeliverError) : Text {
    switch error {
      case (#invalid reason) "recipient refused the message: " # reason;
      case (#inbox_full) "recipient's inbox is full";
      case (#not_a_canister) "recipient refused the sender as not a canister";
    };
  };
};
