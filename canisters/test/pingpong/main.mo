// pingpong: two instances call each other back and forth, n calls deep, so
// the replica must keep a chain of open call contexts across canisters and
// deliver each reply to the right callback. boom/call_boom check that a
// callee's trap rolls back the callee's state and reaches the caller as a
// catchable reject.
import Error "mo:core/Error";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";

persistent actor class PingPong() = self {
  type Peer = actor {
    ping : (Principal, Nat) -> async Nat;
    pong : (Principal, Nat) -> async Nat;
    boom : () -> async ();
  };

  // Every ping and pong served (and boom attempted, which the trap undoes).
  var served : Nat = 0;
  var lastCaller : ?Principal = null;

  // Returns n after n alternating calls: ping on one instance, pong on the
  // other, ... until n reaches 0.
  public shared ({ caller }) func ping(other : Principal, n : Nat) : async Nat {
    record(caller);
    if (n == 0) { return 0 };
    (await peer(other).pong(Principal.fromActor(self), n - 1)) + 1;
  };

  // Calls back ping on `back` (the instance that called this one).
  public shared ({ caller }) func pong(back : Principal, n : Nat) : async Nat {
    record(caller);
    if (n == 0) { return 0 };
    (await peer(back).ping(Principal.fromActor(self), n - 1)) + 1;
  };

  public query func hits() : async Nat {
    served;
  };

  // The caller of the latest ping or pong, so a test can check that an
  // inter-canister call carries the calling canister's id.
  public query func last_caller() : async ?Principal {
    lastCaller;
  };

  // Changes the counter, then traps: the replica must discard the change.
  public func boom() : async () {
    served += 1;
    Runtime.trap("pingpong boom: trapped on purpose after hits was incremented");
  };

  // Returns the reject message of other.boom().
  public func call_boom(other : Principal) : async Text {
    try {
      await peer(other).boom();
      "boom returned without trapping";
    } catch (e) {
      Error.message(e);
    };
  };

  func record(caller : Principal) {
    served += 1;
    lastCaller := ?caller;
  };

  func peer(id : Principal) : Peer {
    actor (Principal.toText(id));
  };
};
