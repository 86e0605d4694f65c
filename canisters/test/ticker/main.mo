// ticker: exercises the replica's global timer (canister_global_timer and
// ic0.global_timer_set) through mo:core Timer: a recurring timer counting
// ticks and a one-shot timer setting a flag.
import Timer "mo:core/Timer";

persistent actor Ticker {
  var tickCount : Nat = 0;
  var oneShotFired : Bool = false;
  // Timers do not survive an upgrade, so their ids are not kept across one.
  transient var recurring : ?Timer.TimerId = null;
  transient var oneShot : ?Timer.TimerId = null;

  // Starts counting ticks every period_ns nanoseconds, replacing any
  // recurring timer started before. A period of 0 fires once.
  public func start(period_ns : Nat) : async () {
    cancel(recurring);
    recurring := ?Timer.recurringTimer<system>(#nanoseconds period_ns, tick);
  };

  // Sets the fired flag once, delay_ns nanoseconds from now.
  public func once(delay_ns : Nat) : async () {
    cancel(oneShot);
    oneShot := ?Timer.setTimer<system>(#nanoseconds delay_ns, fire);
  };

  // Cancels both the recurring and any pending one-shot timer.
  public func stop() : async () {
    cancel(recurring);
    cancel(oneShot);
    recurring := null;
    oneShot := null;
  };

  public query func ticks() : async Nat {
    tickCount;
  };

  public query func fired() : async Bool {
    oneShotFired;
  };

  func tick() : async () {
    tickCount += 1;
  };

  func fire() : async () {
    oneShotFired := true;
  };

  func cancel(timer : ?Timer.TimerId) {
    switch timer {
      case (?id) Timer.cancelTimer(id);
      case null {};
    };
  };
};
