// logger: writes to its canister log, so a test can read the log back with
// fetch_canister_logs: print logs a line with ic0.debug_print; fail logs a
// line and then traps with the caller's message (the trap is logged too).
import Debug "mo:core/Debug";
import Runtime "mo:core/Runtime";

persistent actor Logger {
  var count : Nat = 0;

  public func print(line : Text) : async Nat {
    Debug.print(line);
    count += 1;
    count;
  };

  public func fail(message : Text) : async () {
    Debug.print("about to trap");
    Runtime.trap(message);
  };

  public query func get() : async Nat {
    count;
  };
};
