// Protocol negotiation, grants and inbox bookkeeping of personal/3.0.0.
import Array "mo:core/Array";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Principal "mo:core/Principal";
import Text "mo:core/Text";
import Documents "../3.0.0/Documents";
import Limits "../3.0.0/Limits";
import Messaging "../3.0.0/Messaging";
import Protocol "../3.0.0/Protocol";
import Sharing "../3.0.0/Sharing";
import Types "../3.0.0/Types";

// ---- documents (a copy of 2.0.0's module; spot checks) ----
let docs : Documents.Store = Map.empty<Text, Types.Document>();
assert Documents.put(docs, "a", "\01", "text/plain", ?1, 0) == #err(#conflict { current = null });
switch (Documents.put(docs, "a", "\01", "text/plain", ?0, 5)) { case (#ok d) assert d.revision == 1; case _ assert false };
assert Documents.delete(docs, "a", ?2) == #err(#conflict { current = ?1 });
assert Documents.page(docs, "", 10, null).documents.size() == 1;

// ---- protocol negotiation ----
assert Protocol.personalMajor("personal/3.0.0") == ?3;
assert Protocol.personalMajor("personal/12.4.1") == ?12;
assert Protocol.personalMajor("personal/3.0") == null;
assert Protocol.personalMajor("personal/3.0.0.1") == null;
assert Protocol.personalMajor("other/3.0.0") == null;
assert Protocol.personalMajor("personal/x.0.0") == null;
assert not Protocol.supportsMessaging("personal/1.0.0");
assert not Protocol.supportsMessaging("personal/2.0.0");
assert Protocol.supportsMessaging("personal/3.0.0");
assert Protocol.supportsMessaging("personal/4.1.0");

// ---- grants ----
let canisterA = Principal.fromText("rrkah-fqaaa-aaaaa-aaaaq-cai");
let canisterB = Principal.fromText("ryjl3-tyaaa-aaaaa-aaaba-cai");
let user = Principal.fromBlob("\01\02\03\02"); // last byte 0x02: not a canister
func expectGrants(result : { #ok : [Types.Grant]; #err : Types.WriteError }) : [Types.Grant] {
  switch result { case (#ok grants) grants; case (#err _) { assert false; [] } };
};

var grants : [Types.Grant] = [];
grants := expectGrants(Sharing.add(grants, canisterA, "shared/", 1));
assert grants.size() == 1;
grants := expectGrants(Sharing.add(grants, canisterA, "shared/", 2)); // idempotent
assert grants == [{ peer = canisterA; prefix = "shared/"; granted_at = 1 }];
assert Sharing.covers(grants, canisterA, "shared/doc");
assert not Sharing.covers(grants, canisterA, "private/doc");
assert not Sharing.covers(grants, canisterB, "shared/doc");
assert Sharing.add(grants, user, "x", 3) == #err(#invalid "peer must be a canister principal");
grants := expectGrants(Sharing.add(grants, canisterB, "", 4)); // everything
assert Sharing.covers(grants, canisterB, "private/doc");
assert Sharing.remove(grants, canisterB, "other") == #err(#not_found);
grants := expectGrants(Sharing.remove(grants, canisterA, "shared/"));
assert not Sharing.covers(grants, canisterA, "shared/doc");
assert grants.size() == 1;

// ---- inbox ----
let inbox : Messaging.Inbox = Map.empty<Nat, Types.InboxMessage>();
let index : Messaging.InboxIndex = Map.empty<Text, Nat>();
func envelope(id : Nat, body : Text) : Types.Envelope = { id; body; sent_at = 10 };

assert Messaging.accept(inbox, index, 0, user, envelope(0, "hi"), 11) == #err(#not_a_canister);
assert Messaging.accept(inbox, index, 0, canisterA, envelope(0, ""), 11) == #err(#invalid "body must not be empty");
assert Messaging.accept(inbox, index, 0, canisterA, envelope(7, "hello"), 11) == #ok({ inbox_id = 0 });
// A retried delivery of a message still in the inbox is recognised.
assert Messaging.accept(inbox, index, 1, canisterA, envelope(7, "hello"), 12) == #ok({ inbox_id = 0 });
// The same sender id from another canister is another message.
assert Messaging.accept(inbox, index, 1, canisterB, envelope(7, "hey"), 12) == #ok({ inbox_id = 1 });
assert Map.size(inbox) == 2;
assert Map.get(inbox, Nat.compare, 0) == ?{ id = 0; from = canisterA; sender_message_id = 7; body = "hello"; sent_at = 10; received_at = 11 };

for (i in Nat.range(2, 7)) ignore Messaging.accept(inbox, index, i, canisterA, envelope(100 + i, "m"), 13);
func idsOf(page : Types.InboxPage) : [Nat] = Array.map<Types.InboxMessage, Nat>(page.messages, func m = m.id);
let p1 = Messaging.page(inbox, null, 3);
assert idsOf(p1) == [0, 1, 2];
assert p1.next_cursor == ?2;
let p2 = Messaging.page(inbox, p1.next_cursor, 3);
assert idsOf(p2) == [3, 4, 5];
let p3 = Messaging.page(inbox, p2.next_cursor, 3);
assert idsOf(p3) == [6];
assert p3.next_cursor == null;

// ack removes messages and their dedupe entries.
assert Messaging.ack(inbox, index, [0, 1, 99]) == 2;
assert Map.size(inbox) == 5;
assert Messaging.accept(inbox, index, 7, canisterA, envelope(7, "hello"), 14) == #ok({ inbox_id = 7 });

// The inbox is bounded.
Map.clear(inbox);
Map.clear(index);
for (i in Nat.range(0, Limits.MAX_INBOX)) ignore Messaging.accept(inbox, index, i, canisterA, envelope(i, "m"), 15);
assert Map.size(inbox) == Limits.MAX_INBOX;
assert Messaging.accept(inbox, index, Limits.MAX_INBOX, canisterA, envelope(5_000, "m"), 16) == #err(#inbox_full);

// ---- outbox bookkeeping ----
let outbox : Messaging.Outbox = Map.empty<Nat, Types.OutboxMessage>();
Map.add(outbox, Nat.compare, 0, { id = 0; to = canisterA; body = "x"; created_at = 1; attempts = 0; last_attempt_at = null; last_error = null });
assert Messaging.hasPendingFor(outbox, canisterA);
assert not Messaging.hasPendingFor(outbox, canisterB);
Messaging.recordFailure(outbox, 0, "recipient speaks personal/2.0.0", 20);
Messaging.recordFailure(outbox, 0, "still old", 50);
Messaging.recordFailure(outbox, 9, "cancelled meanwhile: ignored", 50);
assert Map.get(outbox, Nat.compare, 0) == ?{ id = 0; to = canisterA; body = "x"; created_at = 1; attempts = 2; last_attempt_at = ?50; last_error = ?"still old" };
assert Map.size(outbox) == 1;
// 16 KiB by doubling (the interpreter overflows on large arrays).
var body = "a";
for (_ in Nat.range(0, 14)) body #= body;
assert Text.encodeUtf8(body).size() == Limits.MAX_BODY_BYTES;
assert Limits.checkBody(body) == null;
assert Limits.checkBody(body # "a") == ?"body is 16385 bytes; the limit is 16384";
