// counter: the replica's basic test canister. Each method exercises one
// replica path: update (inc), query (get, greet), a trap (fail), an
// instruction-limit hit (spin) and a byte-exact blob round trip (echo).
import Runtime "mo:core/Runtime";

persistent actor Counter {
  var count : Nat = 0;

  public func inc() : async Nat {
    count += 1;
    count;
  };

  public query func get() : async Nat {
    count;
  };

  public query func greet(name : Text) : async Text {
    "Hello, " # name # "!";
  };

  public func fail() : async () {
    Runtime.trap("counter failed on purpose");
  };

  // Never returns: the replica must stop it at the instruction limit.
  public func spin() : async () {
    loop {};
  };

  public func echo(b : Blob) : async Blob {
    b;
  };
};
