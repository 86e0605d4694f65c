/// Upgrade policies: which newer release an owner lets a rollout install
/// on their canister. Pure logic; the registry checks the rest (release
/// state, newer than installed, upgrade_from) before asking here.
import Array "mo:core/Array";
import Nat "mo:core/Nat";

import Semver "Semver";
import Types "Types";

module {
  public let MAX_CHANNEL_CHARS = 32;
  public let MAX_CHANNELS = 8;

  /// Why name is no channel name (1–32 characters of [a-z0-9-]), or null.
  public func channelError(name : Text) : ?Text {
    let size = name.size();
    if (size == 0 or size > MAX_CHANNEL_CHARS) {
      return ?("channel " # debug_show name # " must be 1 to " # Nat.toText(MAX_CHANNEL_CHARS) # " characters");
    };
    for (c in name.chars()) {
      if (not ((c >= 'a' and c <= 'z') or (c >= '0' and c <= '9') or c == '-')) {
        return ?("channel " # debug_show name # " may hold only a-z, 0-9 and -");
      };
    };
    null;
  };

  public func policyError(p : Types.UpgradePolicy) : ?Text {
    switch p { case (#channel name) channelError(name); case _ null };
  };

  /// Why channels cannot be a release's channels, or null.
  public func channelsError(channels : [Text]) : ?Text {
    if (channels.size() > MAX_CHANNELS) {
      return ?("a release is in at most " # Nat.toText(MAX_CHANNELS) # " channels, not " # Nat.toText(channels.size()));
    };
    for (name in channels.vals()) {
      switch (channelError(name)) { case (?e) return ?e; case null {} };
    };
    null;
  };

  /// channels without repeats, in their first order.
  public func dedupe(channels : [Text]) : [Text] {
    var out : [Text] = [];
    for (name in channels.vals()) {
      if (not Array.any<Text>(out, func(n) = n == name)) out := Array.concat(out, [name]);
    };
    out;
  };

  public func text(p : Types.UpgradePolicy) : Text {
    switch p {
      case (#manual) "manual";
      case (#patch) "patch";
      case (#minor) "minor";
      case (#channel name) "channel:" # name;
    };
  };

  /// Whether policy lets a rollout take a canister on installed to
  /// candidate, a newer release whose upgrade_from admits installed and
  /// that is in channels. #manual never does.
  public func admits(policy : Types.UpgradePolicy, installed : Text, candidate : Text, channels : [Text]) : Bool {
    switch policy {
      case (#manual) false;
      case (#channel name) Array.any<Text>(channels, func(c) = c == name);
      case (#patch or #minor) {
        let (?from, ?to) = (Semver.parse(installed), Semver.parse(candidate)) else return false;
        if (from.major != to.major) return false;
        policy == #minor or from.minor == to.minor;
      };
    };
  };
};
