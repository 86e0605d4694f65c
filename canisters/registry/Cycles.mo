/// The arithmetic behind the registry's cycles monitoring: balance
/// histories, burn rates, freezing limits, runways, and how much a
/// canister's app policy wants deposited. Pure: main.mo does the calls.
import Array "mo:core/Array";
import Int "mo:core/Int";
import Nat "mo:core/Nat";

import Types "Types";

module {
  public let DAY_SECONDS = 86_400;
  let SECOND_NS = 1_000_000_000;
  /// Samples kept per canister: enough for a rate, few enough to stay small.
  public let MAX_SAMPLES = 8;

  /// The IC's (13-node subnet) fee an install reserves up front: the base
  /// fee plus 300 billion instructions at 4 cycles per 10. A canister
  /// that cannot pay it above its freezing limit is refused the install.
  public let INSTALL_PREPAY = 120_005_000_000; // 5_000_000 + 300_000_000_000 * 4 / 10
  /// What the chunk store charges storage for per uploaded chunk.
  public let CHUNK_STORE_BYTES = 1_048_576;

  public let MAX_THRESHOLD_SECONDS = 315_360_000; // 10 years
  public let MAX_CYCLES = 100_000_000_000_000; // 100T per top-up or target
  public let MAX_POLL_SECONDS = 86_400;
  public let MAX_BATCH = 500;
  public let MAX_LOW_PAGE = 100;

  public let DEFAULT_POLICY : Types.CyclesPolicy = {
    strategy = #below_runtime({ threshold_seconds = 2_592_000; fund_seconds = 5_184_000 }); // 30 and 60 days
    max_top_up = 5_000_000_000_000;
  };

  public let DEFAULT_SETTINGS : Types.CyclesSettings = {
    poll_interval_seconds = 60;
    batch_size = 50;
    reserve = 100_000_000_000;
  };

  /// samples with s appended, the oldest dropped beyond MAX_SAMPLES.
  public func addSample<T>(samples : [T], s : T) : [T] {
    let all = Array.concat(samples, [s]);
    if (all.size() <= MAX_SAMPLES) return all;
    Array.sliceToArray(all, all.size() - MAX_SAMPLES : Int, all.size());
  };

  /// samples with amount added to the newest one, as if deposited just
  /// after it was read: the next reading's fall then spans only the burn
  /// since, and the current figures show the top-up at once. (The
  /// interval before it now reads as a rise, which is left out.)
  public func creditLast(samples : [Types.CyclesSample], amount : Nat) : [Types.CyclesSample] {
    let n = samples.size();
    if (n == 0) return samples;
    let last = samples[n - 1];
    Array.concat(Array.sliceToArray(samples, 0, n - 1 : Int), [{ at = last.at; balance = last.balance + amount }]);
  };

  /// Cycles per day the balance fell by between samples. Intervals over
  /// which it rose (a top-up or deposit landed) are left out: their burn
  /// is unknown, and counting the rise would hide it. Falls seen over less
  /// than minSpanNs (the poll interval) are spread over minSpanNs: right
  /// after a top-up only the next interval counts, and when polls bunch up
  /// (a backlog of timer runs) it may be a fraction of a second, over which
  /// one second of idle burn — the IC charges storage by the second — or a
  /// single message's fee would read as a burn several times the real one,
  /// and fund the canister again for it.
  public func observedBurnPerDay(samples : [Types.CyclesSample], minSpanNs : Nat) : Nat {
    var dropped = 0;
    var span : Nat = 0;
    var i = 1;
    while (i < samples.size()) {
      let a = samples[i - 1];
      let b = samples[i];
      if (b.balance <= a.balance and b.at > a.at) {
        dropped += a.balance - b.balance;
        span += Int.abs(b.at - a.at);
      };
      i += 1;
    };
    if (span == 0) return 0;
    dropped * DAY_SECONDS * SECOND_NS / Nat.max(span, minSpanNs);
  };

  /// The burn to plan with: the observed one, but never less than what
  /// the canister burns idle (its storage), which canister_status states.
  public func burnPerDay(samples : [Types.CyclesSample], idle : Nat, minSpanNs : Nat) : Nat {
    Nat.max(observedBurnPerDay(samples, minSpanNs), idle);
  };

  /// The balance below which the IC freezes the canister: its idle burn
  /// during its freezing threshold.
  public func freezingLimit(idlePerDay : Nat, thresholdSeconds : Nat) : Nat {
    idlePerDay * thresholdSeconds / DAY_SECONDS;
  };

  /// Seconds until the balance reaches the freezing limit (null: no burn
  /// known, so no estimate).
  public func runway(balance : Nat, freezing : Nat, burn : Nat) : ?Nat {
    if (burn == 0) return null;
    if (balance <= freezing) return ?0;
    ?((balance - freezing) * DAY_SECONDS / burn);
  };

  /// What the policy wants deposited now (0: nothing, the canister is fine).
  /// Not yet capped by max_top_up.
  public func wanted(p : Types.CyclesPolicy, balance : Nat, freezing : Nat, burn : Nat) : Nat {
    switch (p.strategy) {
      case (#below_balance { threshold; fund_to }) {
        if (balance < threshold) fund_to - balance else 0;
      };
      case (#below_runtime { threshold_seconds; fund_seconds }) {
        switch (runway(balance, freezing, burn)) {
          case (?left) {
            if (left >= threshold_seconds) return 0;
            // What brings it back to its freezing limit, then fund_seconds of burn.
            let deficit = if (freezing > balance) freezing - balance else 0;
            deficit + burn * fund_seconds / DAY_SECONDS;
          };
          case null 0;
        };
      };
    };
  };

  /// What the canister lacks to afford an upgrade that uploads chunks
  /// chunks first: the install prepayment above its freezing limit as it
  /// will be once the chunk store holds them, with a margin for the calls
  /// around it. 0: it can afford it.
  public func upgradeShortfall(balance : Nat, idlePerDay : Nat, memory : Nat, thresholdSeconds : Nat, chunks : Nat) : Nat {
    let extra = chunks * CHUNK_STORE_BYTES;
    let idleAfter = if (memory == 0) idlePerDay else idlePerDay * (memory + extra) / memory;
    let need = INSTALL_PREPAY + freezingLimit(idleAfter, thresholdSeconds);
    let withMargin = need + need / 50 + 1_000_000_000;
    if (balance >= withMargin) 0 else withMargin - balance;
  };

  public func validatePolicy(p : Types.CyclesPolicy) : ?Text {
    if (p.max_top_up == 0 or p.max_top_up > MAX_CYCLES) {
      return ?("max_top_up must be 1 to " # Nat.toText(MAX_CYCLES) # " cycles");
    };
    switch (p.strategy) {
      case (#below_balance { threshold; fund_to }) {
        if (threshold == 0) return ?"below_balance: threshold must be at least 1 cycle";
        if (fund_to <= threshold) return ?"below_balance: fund_to must exceed threshold";
        if (fund_to > MAX_CYCLES) return ?("below_balance: fund_to must be at most " # Nat.toText(MAX_CYCLES) # " cycles");
      };
      case (#below_runtime { threshold_seconds; fund_seconds }) {
        let most = Nat.toText(MAX_THRESHOLD_SECONDS);
        if (threshold_seconds == 0 or threshold_seconds > MAX_THRESHOLD_SECONDS) {
          return ?("below_runtime: threshold_seconds must be 1 to " # most);
        };
        if (fund_seconds < threshold_seconds or fund_seconds > MAX_THRESHOLD_SECONDS) {
          // Less than the threshold would leave it under it, topped up every poll.
          return ?("below_runtime: fund_seconds must be threshold_seconds to " # most);
        };
      };
    };
    null;
  };

  public func validateSettings(s : Types.CyclesSettings) : ?Text {
    if (s.poll_interval_seconds == 0 or s.poll_interval_seconds > MAX_POLL_SECONDS) {
      return ?("poll_interval_seconds must be 1 to " # Nat.toText(MAX_POLL_SECONDS));
    };
    if (s.batch_size == 0 or s.batch_size > MAX_BATCH) return ?("batch_size must be 1 to " # Nat.toText(MAX_BATCH));
    if (s.reserve > MAX_CYCLES) return ?("reserve must be at most " # Nat.toText(MAX_CYCLES) # " cycles");
    null;
  };

  /// One reading of the registry's own balance with the running totals of
  /// what it gave away (creations, top-ups) and received (deposits).
  public type OwnSample = { at : Int; balance : Nat; given : Nat; received : Nat };

  /// The registry's own burn: its balance's fall between samples less
  /// what it gave away, plus what it received.
  public func ownBurnPerDay(samples : [OwnSample]) : Nat {
    if (samples.size() < 2) return 0;
    let a = samples[0];
    let b = samples[samples.size() - 1];
    if (b.at <= a.at) return 0;
    let before : Int = a.balance + (b.received - a.received);
    let spent : Int = before - b.balance - (b.given - a.given);
    if (spent <= 0) return 0;
    Int.abs(spent) * DAY_SECONDS * SECOND_NS / Int.abs(b.at - a.at);
  };
};
