/// The arithmetic of rollouts: argument checks, the canary's size, the
/// failure limit, the failures kept. Pure logic; main.mo's "policies and
/// rollouts" section runs the batches.
import Array "mo:core/Array";
import Nat "mo:core/Nat";

import Types "Types";

module {
  public let MAX_BATCH = 100;
  /// RolloutInfo keeps this many of the most recent failures.
  public let MAX_FAILURES_KEPT = 20;

  /// Why n cannot start, or null (app, version and release are checked by
  /// the caller).
  public func checkNew(n : Types.NewRollout) : ?Text {
    if (n.canary_percent > 100) return ?("canary_percent must be 0 to 100, not " # Nat.toText(n.canary_percent));
    if (n.batch_size < 1 or n.batch_size > MAX_BATCH) {
      return ?("batch_size must be 1 to " # Nat.toText(MAX_BATCH) # ", not " # Nat.toText(n.batch_size));
    };
    switch (n.max_failures) {
      case (#percent p) if (p > 100) return ?("max_failures percent must be 0 to 100, not " # Nat.toText(p));
      case (#count _) {};
    };
    null;
  };

  /// ceil(total × percent / 100), at least 1 when percent > 0 and there is
  /// a target; 0: no canary.
  public func canarySize(total : Nat, percent : Nat) : Nat {
    if (percent == 0 or total == 0) return 0;
    Nat.min(total, Nat.max(1, (total * percent + 99) / 100));
  };

  public func limitText(limit : Types.FailureLimit) : Text {
    switch limit { case (#count n) Nat.toText(n); case (#percent p) Nat.toText(p) # "%" };
  };

  /// Why failures (rolled back or failed) among attempted upgrades exceed
  /// limit, or null.
  public func exceeded(limit : Types.FailureLimit, failures : Nat, attempted : Nat) : ?Text {
    let over = switch limit {
      case (#count n) failures > n;
      case (#percent p) failures * 100 > p * attempted;
    };
    if (not over) return null;
    ?(Nat.toText(failures) # " of " # Nat.toText(attempted) # " upgrades failed or rolled back, more than max_failures " # limitText(limit));
  };

  public func isFinal(s : Types.RolloutState) : Bool = s == #halted or s == #aborted or s == #done;

  public func stateText(s : Types.RolloutState) : Text {
    switch s {
      case (#canary) "canary";
      case (#running) "running";
      case (#paused) "paused";
      case (#halted) "halted";
      case (#aborted) "aborted";
      case (#done) "done";
    };
  };

  /// list with f appended, cut to the MAX_FAILURES_KEPT most recent.
  public func keepFailure(list : [Types.RolloutFailure], f : Types.RolloutFailure) : [Types.RolloutFailure] {
    let all = Array.concat(list, [f]);
    if (all.size() <= MAX_FAILURES_KEPT) return all;
    Array.sliceToArray(all, Nat.sub(all.size(), MAX_FAILURES_KEPT), all.size());
  };
};
