// Test fixture for replica/exec: version 2 of counter.mo, for the EOP
// upgrade test (same stable variable, one more query). Built like
// counter.wasm: NODE_PATH=/tmp/node_modules node build-counter.cjs
import Runtime "mo:core/Runtime";

persistent actor {
  var count : Nat = 0;

  public func inc() : async Nat {
    count += 1;
    count
  };

  public query func get() : async Nat {
    count
  };

  public query func version() : async Nat {
    2
  };

  public func fail() : async () {
    Runtime.trap("boom")
  };
};
