// Messaging and sharing between personal canisters, run in the moc
// interpreter with real (simulated) inter-canister calls. check.mjs applies
// two interpreter patches to the 3.0.0 sources first, see INTERPRETER_PATCHES.
import Array "mo:core/Array";
import Debug "mo:core/Debug";
import Error "mo:core/Error";
import Principal "mo:core/Principal";
import Text "mo:core/Text";
import V1 "../1.0.0/main";
import V2 "../2.0.0/main";
import V3 "../3.0.0/main";
import T3 "../3.0.0/Types";

persistent actor Tester {
  func queuedReason(result : T3.SendResult) : Text {
    switch result { case (#queued { reason }) reason; case _ { Debug.print(debug_show result); assert false; "" } };
  };
  func queuedId(result : T3.SendResult) : Nat {
    switch result { case (#queued { id }) id; case _ { assert false; 0 } };
  };

  public func run() : async () {
    let me = Principal.fromActor(Tester);
    let a = await V3.Personal({ owner = me });
    let b = await V3.Personal({ owner = me });
    let c = await V3.Personal({ owner = me });
    let old = await V2.Personal({ owner = me });
    let oldest = await V1.Personal({ owner = me });
    let (aId, bId, cId) = (Principal.fromActor(a), Principal.fromActor(b), Principal.fromActor(c));
    assert (await a.protocol()) == "personal/3.0.0";

    // Delivered at once to a 3.0.0 recipient.
    assert (await a.send(bId, "hello")) == #delivered({ id = 0 });
    let received = await b.inbox(null, 10);
    assert received.messages.size() == 1;
    assert received.messages[0].from == aId and received.messages[0].body == "hello";
    assert (await a.outbox()) == [];

    // Queued for older recipients, in order, with attempts recorded.
    let first = await a.send(Principal.fromActor(old), "m1");
    assert Text.contains(queuedReason(first), #text "recipient speaks personal/2.0.0");
    let second = await a.send(Principal.fromActor(old), "m2");
    assert Text.contains(queuedReason(second), #text "delivered in order");
    let toOldest = await a.send(Principal.fromActor(oldest), "m3");
    assert Text.contains(queuedReason(toOldest), #text "recipient speaks personal/1.0.0");
    var outbox = await a.outbox();
    assert Array.map<T3.OutboxMessage, Nat>(outbox, func m = m.attempts) == [1, 0, 1];
    assert (await a.retry_outbox()) == { delivered = 0; pending = 3 };
    outbox := await a.outbox();
    // The second message waits behind the first: it is not attempted.
    assert Array.map<T3.OutboxMessage, Nat>(outbox, func m = m.attempts) == [2, 0, 2];
    assert outbox[0].last_error == ?"recipient speaks personal/2.0.0; messages need personal/3.0.0 or later";
    assert (await a.cancel_outbox([queuedId(toOldest), 999])) == 1;

    // A 3.0.0 recipient that cannot accept yet: queued, then delivered in order by a retry.
    var filled = 0;
    label fill while true {
      switch (await c.deliver({ id = filled; body = "filler"; sent_at = 0 })) {
        case (#ok _) filled += 1;
        case (#err(#inbox_full)) break fill;
        case (#err e) { Debug.print(debug_show e); assert false };
      };
    };
    assert filled == 1_000;
    let x = await a.send(cId, "x");
    assert queuedReason(x) == "recipient's inbox is full";
    ignore await a.send(cId, "y");
    assert (await c.ack([0, 1, 2])) == 3;
    assert (await a.retry_outbox()) == { delivered = 2; pending = 2 };
    let tail = await c.inbox(?998, 10);
    assert Array.map<T3.InboxMessage, Text>(tail.messages, func m = m.body) == ["filler", "x", "y"];

    // A repeated delivery of a message still in the inbox is recognised.
    let again = await b.deliver({ id = 0; body = "hello"; sent_at = 0 });
    let firstCopy = await b.deliver({ id = 77; body = "dup"; sent_at = 0 });
    assert (await b.deliver({ id = 77; body = "dup"; sent_at = 0 })) == firstCopy;
    assert again != firstCopy;

    // Sharing: b reads a's documents under a granted prefix, nothing else.
    ignore await a.put_document("shared/doc", "\01\02", "application/octet-stream", null);
    ignore await a.put_document("private/doc", "\03", "application/octet-stream", null);
    assert (await a.grant(bId, "shared/")) == #ok;
    switch (await b.read_shared(aId, "shared/doc")) {
      case (?doc) assert doc.content == "\01\02";
      case null assert false;
    };
    assert (await b.read_shared(aId, "shared/missing")) == null;
    try {
      ignore await b.read_shared(aId, "private/doc");
      assert false;
    } catch (e) {
      assert Text.contains(Error.message(e), #text "has no grant covering key \"private/doc\"");
    };
    assert (await a.revoke(bId, "shared/")) == #ok;
    try {
      ignore await b.read_shared(aId, "shared/doc");
      assert false;
    } catch (e) {
      assert Text.contains(Error.message(e), #text "has no grant covering key");
    };

    // Owner-only: a canister owned by someone else refuses this tester.
    let foreign = await V3.Personal({ owner = aId });
    assert (await foreign.put_document("k", "", "text/plain", null)) == #err(#unauthorized);
    assert (await foreign.send(bId, "hi")) == #unauthorized;
    assert (await foreign.grant(bId, "")) == #err(#unauthorized);
    try {
      ignore await foreign.get_document("k");
      assert false;
    } catch (e) {
      assert Text.contains(Error.message(e), #text "is not the owner of this canister");
    };
    assert (await a.send(Principal.anonymous(), "x")) == #invalid("recipient must be a canister principal");

    Debug.print("actor tests passed");
  };
};

Tester.run();
