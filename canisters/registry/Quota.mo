/// Sliding windows of canister creations, for the install quotas.
import Array "mo:core/Array";
import Int "mo:core/Int";
import Nat64 "mo:core/Nat64";

module {
  public let HOUR : Int = 3_600_000_000_000;
  public let DAY : Int = 86_400_000_000_000;

  /// The times within window before now. The cutoff is computed once:
  /// times are nanoseconds, beyond Motoko's compact Int range, so each
  /// subtraction would allocate a big number per element.
  public func recent(times : [Int], now : Int, window : Int) : [Int] {
    let cutoff = now - window;
    Array.filter<Int>(times, func(t) = t > cutoff);
  };

  /// Whole seconds (rounded up) until the oldest of times, all within the
  /// window, leaves it; 0 when times is empty.
  public func retryAfter(times : [Int], now : Int, window : Int) : Nat64 {
    if (times.size() == 0) return 0;
    var oldest = times[0];
    for (t in times.vals()) { if (t < oldest) oldest := t };
    let ns = oldest + window - now;
    if (ns <= 0) return 0;
    Nat64.fromNat(Int.abs((ns + 999_999_999) / 1_000_000_000));
  };
};
