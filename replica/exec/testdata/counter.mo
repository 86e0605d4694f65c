// Test fixture for replica/exec: a persistent Motoko counter.
// Built with the npm compiler motoko@4.10.0 (moc.js, wasm64 EOP):
//   cd /tmp && npm install motoko@4.10.0, then here: NODE_PATH=/tmp/node_modules node build-counter.cjs
// see build-counter.cjs beside this file (it also builds counter_v2.wasm).
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

  public func fail() : async () {
    Runtime.trap("boom")
  };
};
