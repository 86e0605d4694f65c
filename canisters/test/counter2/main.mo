// counter2: an upgrade-compatible successor of counter for enhanced
// orthogonal persistence (EOP) upgrade tests. It keeps every stable variable
// of counter with the same type, adds one new stable variable and one new
// method, so upgrading counter -> counter2 must keep `count`.
import Runtime "mo:core/Runtime";

persistent actor Counter {
  var count : Nat = 0;

  // New in counter2: initialised on upgrade because counter had no such field.
  var release : Text = "2";

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

  public query func version() : async Text {
    release;
  };
};
