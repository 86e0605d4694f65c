/// personal/3.0.0 — the 2.0.0 document store plus sharing and messaging
/// between personal canisters.
///
/// Sharing: the owner grants a peer canister read access to a key prefix;
/// the peer reads with peer_get_document (read_shared is the client side).
/// Messaging: send() asks the recipient's protocol() and, if it is
/// personal/3.0.0 or later, calls its deliver(); otherwise (or on any failure)
/// the message waits in the outbox and a recurring timer retries it, in order
/// per recipient, until the recipient upgrades and accepts it.
/// Install and upgrade argument: (record { owner : principal }). On upgrade the
/// stored owner is kept and the argument's owner is ignored.
import Error "mo:core/Error";
import Iter "mo:core/Iter";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Time "mo:core/Time";
import Timer "mo:core/Timer";

import Documents "Documents";
import Limits "Limits";
import Messaging "Messaging";
import Protocol "Protocol";
import Sharing "Sharing";
import Types "Types";
import Upgrade "Upgrade";

(with migration = Upgrade.migration)
persistent actor class Personal(init : { owner : Principal }) {
  public type Document = Types.Document;
  public type WriteError = Types.WriteError;
  public type PutResult = Types.PutResult;
  public type DeleteResult = Types.DeleteResult;
  public type DocumentPage = Types.DocumentPage;
  public type Grant = Types.Grant;
  public type GrantResult = Types.GrantResult;
  public type Envelope = Types.Envelope;
  public type DeliverResult = Types.DeliverResult;
  public type InboxMessage = Types.InboxMessage;
  public type InboxPage = Types.InboxPage;
  public type OutboxMessage = Types.OutboxMessage;
  public type SendResult = Types.SendResult;
  public type RetrySummary = Types.RetrySummary;

  /// What this canister calls on other personal canisters.
  type Peer = actor {
    protocol : shared query () -> async Text;
    deliver : shared Envelope -> async DeliverResult;
    peer_get_document : shared query Text -> async ?Document;
  };

  /// How often pending outbox messages are retried while any are pending.
  transient let RETRY_INTERVAL_SECONDS : Nat = 30;
  /// Calls to peers are bounded-wait: a peer that never answers can neither
  /// block delivery forever nor keep this canister from stopping (upgrades
  /// stop the canister, and stopping waits for outstanding calls).
  transient let CALL_TIMEOUT_SECONDS : Nat32 = 60;
  /// A delivery attempt older than this is presumed dead (its callback
  /// trapped) and may be attempted again.
  transient let IN_FLIGHT_EXPIRY_NANOS : Int = 10 * 60 * 1_000_000_000;

  // An anonymous owner would make every caller the owner.
  if (Principal.isAnonymous(init.owner)) {
    Runtime.trap(Upgrade.PROTOCOL # ": the owner must not be the anonymous principal");
  };

  let owner : Principal = init.owner;
  let data_version : Nat = Upgrade.DATA_VERSION;
  /// Inherited from 1.0.0 and drained below; empty from then on.
  let kv_entries = Map.empty<Text, Blob>();
  let documents : Documents.Store = Map.empty<Text, Document>();
  var grant_list : [Grant] = [];
  let inbox_messages : Messaging.Inbox = Map.empty<Nat, InboxMessage>();
  let inbox_index : Messaging.InboxIndex = Map.empty<Text, Nat>();
  var next_inbox_id : Nat = 0;
  let outbox_queue : Messaging.Outbox = Map.empty<Nat, OutboxMessage>();
  var next_message_id : Nat = 0;

  // Timers do not survive upgrades, and no call is outstanding after one, so
  // the delivery machinery is transient and re-armed below.
  transient let in_flight = Map.empty<Nat, Int>();
  transient var retry_timer : ?Timer.TimerId = null;
  transient var retrying = false;

  if (data_version != Upgrade.DATA_VERSION) {
    Runtime.trap(Upgrade.PROTOCOL # ": data_version is " # Nat.toText(data_version) # " after upgrade, expected " # Nat.toText(Upgrade.DATA_VERSION));
  };
  ignore Upgrade.drainV1(kv_entries, documents, Time.now());

  // Ingress update calls from anyone but the owner are refused before they
  // are executed. deliver and peer_get_document are meant for canisters,
  // whose calls are not ingress and do not pass through inspect.
  system func inspect({ caller : Principal }) : Bool {
    caller == owner;
  };

  func notOwner(caller : Principal) : Error {
    Error.reject(Upgrade.PROTOCOL # ": caller " # Principal.toText(caller) # " is not the owner of this canister");
  };

  func invalid(reason : Text) : Error {
    Error.reject(Upgrade.PROTOCOL # ": " # reason);
  };

  func peerActor(id : Principal) : Peer {
    actor (Principal.toText(id)) : Peer;
  };

  /// Protocol identifier, callable by anyone (peers use it to negotiate).
  public query func protocol() : async Text {
    Upgrade.PROTOCOL;
  };

  // ---- documents (unchanged from 2.0.0) ----

  /// Creates or replaces a document, conditionally on if_revision
  /// (null: always; ?0: only if absent; ?r: only if the stored revision is r).
  public shared ({ caller }) func put_document(key : Text, content : Blob, content_type : Text, if_revision : ?Nat) : async PutResult {
    if (caller != owner) return #err(#unauthorized);
    Documents.put(documents, key, content, content_type, if_revision, Time.now());
  };

  public shared query ({ caller }) func get_document(key : Text) : async ?Document {
    if (caller != owner) throw notOwner(caller);
    Map.get(documents, Text.compare, key);
  };

  /// Documents whose key starts with prefix, ascending by key, after cursor.
  /// page_size must be at least 1 and is capped at 100; a page also ends
  /// early at 1.5 MiB of content. next_cursor is null when nothing is left.
  public shared query ({ caller }) func list_documents(prefix : Text, page_size : Nat, cursor : ?Text) : async DocumentPage {
    if (caller != owner) throw notOwner(caller);
    switch (Limits.checkPrefix(prefix)) { case (?reason) throw invalid(reason); case null {} };
    let ?limit = Limits.pageLimit(page_size) else throw invalid("page_size must be at least 1");
    Documents.page(documents, prefix, limit, cursor);
  };

  /// Deletes a document, conditionally on if_revision as in put_document.
  public shared ({ caller }) func delete_document(key : Text, if_revision : ?Nat) : async DeleteResult {
    if (caller != owner) return #err(#unauthorized);
    Documents.delete(documents, key, if_revision);
  };

  // ---- sharing ----

  /// Lets the peer canister read documents whose key starts with prefix
  /// ("" shares everything). Granting an existing grant again is a no-op.
  public shared ({ caller }) func grant(peer : Principal, prefix : Text) : async GrantResult {
    if (caller != owner) return #err(#unauthorized);
    switch (Sharing.add(grant_list, peer, prefix, Time.now())) {
      case (#ok updated) { grant_list := updated; #ok };
      case (#err error) #err error;
    };
  };

  /// Withdraws exactly the grant (peer, prefix); #not_found if there is none.
  public shared ({ caller }) func revoke(peer : Principal, prefix : Text) : async GrantResult {
    if (caller != owner) return #err(#unauthorized);
    switch (Sharing.remove(grant_list, peer, prefix)) {
      case (#ok updated) { grant_list := updated; #ok };
      case (#err error) #err error;
    };
  };

  public shared query ({ caller }) func grants() : async [Grant] {
    if (caller != owner) throw notOwner(caller);
    grant_list;
  };

  /// For granted peer canisters: a document under a prefix granted to the caller.
  public shared query ({ caller }) func peer_get_document(key : Text) : async ?Document {
    if (not Sharing.covers(grant_list, caller, key)) {
      throw invalid("caller " # Principal.toText(caller) # " has no grant covering key \"" # key # "\"");
    };
    Map.get(documents, Text.compare, key);
  };

  /// Owner: reads a document another personal canister shares with this one.
  public shared ({ caller }) func read_shared(from : Principal, key : Text) : async ?Document {
    if (caller != owner) throw notOwner(caller);
    try {
      await (with timeout = CALL_TIMEOUT_SECONDS) peerActor(from).peer_get_document(key);
    } catch (e) {
      throw invalid("peer " # Principal.toText(from) # " refused peer_get_document: " # Error.message(e));
    };
  };

  // ---- messaging: receiving ----

  /// For sending canisters: accepts a message into the inbox. A message
  /// already in the inbox (same caller and id) is acknowledged again, not stored twice.
  public shared ({ caller }) func deliver(message : Envelope) : async DeliverResult {
    let result = Messaging.accept(inbox_messages, inbox_index, next_inbox_id, caller, message, Time.now());
    switch result {
      case (#ok { inbox_id }) if (inbox_id == next_inbox_id) next_inbox_id += 1;
      case (#err _) {};
    };
    result;
  };

  /// Messages after cursor (an inbox id), oldest first; limit must be at
  /// least 1 and is capped at 100; a page also ends early at 1.5 MiB of bodies.
  public shared query ({ caller }) func inbox(cursor : ?Nat, limit : Nat) : async InboxPage {
    if (caller != owner) throw notOwner(caller);
    let ?capped = Limits.pageLimit(limit) else throw invalid("limit must be at least 1");
    Messaging.page(inbox_messages, cursor, capped);
  };

  /// Removes the given inbox messages; returns how many were removed.
  public shared ({ caller }) func ack(ids : [Nat]) : async Nat {
    if (caller != owner) throw notOwner(caller);
    Messaging.ack(inbox_messages, inbox_index, ids);
  };

  // ---- messaging: sending ----

  /// Sends body to the personal canister `to`. Delivered at once when the
  /// recipient speaks personal/3.0.0 or later and accepts it; otherwise queued
  /// in the outbox and retried every RETRY_INTERVAL_SECONDS.
  public shared ({ caller }) func send(to : Principal, body : Text) : async SendResult {
    if (caller != owner) return #unauthorized;
    if (not Principal.isCanister(to)) return #invalid "recipient must be a canister principal";
    switch (Limits.checkBody(body)) { case (?reason) return #invalid reason; case null {} };
    if (Map.size(outbox_queue) >= Limits.MAX_OUTBOX) return #outbox_full;

    let id = next_message_id;
    next_message_id += 1;
    let waitingBehind = Messaging.hasPendingFor(outbox_queue, to);
    let message : OutboxMessage = { id; to; body; created_at = Time.now(); attempts = 0; last_attempt_at = null; last_error = null };
    Map.add(outbox_queue, Nat.compare, id, message);
    // Armed before the first await: this part of the call is committed even
    // if the delivery attempt's callback never completes, so a stored
    // message always has a timer to retry it (an idle timer disarms itself).
    armRetryTimer<system>();
    if (waitingBehind) {
      return #queued({ id; reason = "earlier messages to this recipient are pending; messages are delivered in order" });
    };
    switch (await* attempt(message, false)) {
      case null #delivered({ id });
      case (?reason) #queued({ id; reason });
    };
  };

  /// Pending messages, oldest first, with their delivery attempts.
  public shared query ({ caller }) func outbox() : async [OutboxMessage] {
    if (caller != owner) throw notOwner(caller);
    Iter.toArray(Map.values(outbox_queue));
  };

  /// Owner: retries pending messages now instead of waiting for the timer.
  public shared ({ caller }) func retry_outbox() : async RetrySummary {
    if (caller != owner) throw notOwner(caller);
    await* retryPending();
  };

  /// Owner: gives up on pending messages; returns how many were removed.
  /// A message whose delivery is under way at that moment may still arrive.
  public shared ({ caller }) func cancel_outbox(ids : [Nat]) : async Nat {
    if (caller != owner) throw notOwner(caller);
    var removed = 0;
    for (id in ids.values()) {
      if (Map.delete(outbox_queue, Nat.compare, id)) removed += 1;
    };
    removed;
  };

  // ---- delivery machinery ----

  func isInFlight(id : Nat, now : Int) : Bool {
    switch (Map.get(in_flight, Nat.compare, id)) {
      case (?since) now - since < IN_FLIGHT_EXPIRY_NANOS;
      case null false;
    };
  };

  /// One delivery attempt: null when delivered (the message leaves the
  /// outbox), else the reason (recorded on the message). recipientChecked
  /// skips the protocol() call when this round already saw the recipient
  /// answer personal/3.0.0 or later.
  func attempt(message : OutboxMessage, recipientChecked : Bool) : async* ?Text {
    Map.add(in_flight, Nat.compare, message.id, Time.now());
    let outcome = try {
      await* deliverTo(message, recipientChecked);
    } catch (e) {
      ?("call to recipient failed: " # Error.message(e));
    };
    Map.remove(in_flight, Nat.compare, message.id);
    switch outcome {
      case null Map.remove(outbox_queue, Nat.compare, message.id);
      case (?reason) Messaging.recordFailure(outbox_queue, message.id, reason, Time.now());
    };
    outcome;
  };

  func deliverTo(message : OutboxMessage, recipientChecked : Bool) : async* ?Text {
    let recipient = peerActor(message.to);
    if (not recipientChecked) {
      let spoken = await (with timeout = CALL_TIMEOUT_SECONDS) recipient.protocol();
      if (not Protocol.supportsMessaging(spoken)) {
        return ?("recipient speaks " # spoken # "; messages need personal/3.0.0 or later");
      };
    };
    let envelope : Envelope = { id = message.id; body = message.body; sent_at = message.created_at };
    switch (await (with timeout = CALL_TIMEOUT_SECONDS) recipient.deliver(envelope)) {
      case (#ok _) null;
      case (#err error) ?Messaging.describe(error);
    };
  };

  /// Tries every pending message once, oldest first. After a failure the
  /// recipient's later messages wait for the next round, keeping order.
  func retryPending() : async* RetrySummary {
    if (retrying) return { delivered = 0; pending = Map.size(outbox_queue) };
    retrying := true;
    var delivered = 0;
    try {
      let blocked = Map.empty<Principal, ()>();
      let ready = Map.empty<Principal, ()>();
      for (message in Iter.toArray(Map.values(outbox_queue)).values()) {
        let stillPending = Map.containsKey(outbox_queue, Nat.compare, message.id);
        if (stillPending and not Map.containsKey(blocked, Principal.compare, message.to)) {
          if (isInFlight(message.id, Time.now())) {
            Map.add(blocked, Principal.compare, message.to, ());
          } else {
            let checked = Map.containsKey(ready, Principal.compare, message.to);
            switch (await* attempt(message, checked)) {
              case null { delivered += 1; Map.add(ready, Principal.compare, message.to, ()) };
              case (?_) Map.add(blocked, Principal.compare, message.to, ());
            };
          };
        };
      };
    } finally {
      retrying := false;
      if (Map.isEmpty(outbox_queue)) disarmRetryTimer();
    };
    { delivered; pending = Map.size(outbox_queue) };
  };

  func retryTick() : async () {
    ignore await* retryPending();
  };

  /// The timer only runs while messages are pending, so an idle canister
  /// spends no cycles on it.
  func armRetryTimer<system>() {
    if (retry_timer == null and not Map.isEmpty(outbox_queue)) {
      retry_timer := ?Timer.recurringTimer<system>(#seconds RETRY_INTERVAL_SECONDS, retryTick);
    };
  };

  func disarmRetryTimer() {
    switch retry_timer {
      case (?id) { Timer.cancelTimer(id); retry_timer := null };
      case null {};
    };
  };

  armRetryTimer<system>();
};
