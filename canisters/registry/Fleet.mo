/// The counting behind fleet_stats: one pass over the stored canisters,
/// upgrades and releases, aggregates only.
import Iter "mo:core/Iter";
import Map "mo:core/Map";
import Text "mo:core/Text";

import Types "Types";

module {
  func stateTag(s : Types.CanisterState) : Text {
    switch s { case (#installed) "installed"; case (#upgrading) "upgrading"; case (#uninstalled) "uninstalled" };
  };

  /// Canisters grouped by (app, version, state), in key order.
  public func canisterCounts(all : Iter.Iter<Types.Canister>) : [Types.FleetCount] {
    // The key joins the three with NUL, which no app id or version holds.
    let groups = Map.empty<Text, Types.FleetCount>();
    for (c in all) {
      let i = c.info;
      let key = i.app # "\u{0}" # i.version # "\u{0}" # stateTag(i.state);
      let count = switch (Map.get(groups, Text.compare, key)) { case (?g) g.count + 1; case null 1 };
      Map.add(groups, Text.compare, key, { app = i.app; version = i.version; state = i.state; count });
    };
    Iter.toArray(Map.values(groups));
  };

  public func upgradeCounts(all : Iter.Iter<Types.Upgrade>) : Types.UpgradeCounts {
    var done = 0;
    var rolled_back = 0;
    var failed = 0;
    var in_progress = 0;
    for (u in all) {
      switch (u.info.state) {
        case (#done) done += 1;
        case (#rolled_back) rolled_back += 1;
        case (#failed) failed += 1;
        case _ in_progress += 1;
      };
    };
    { done; rolled_back; failed; in_progress };
  };

  public func releaseCounts(all : Iter.Iter<Map.Map<Text, Types.Release>>) : Types.ReleaseCounts {
    var draft = 0;
    var submitted = 0;
    var approved = 0;
    var rejected = 0;
    var released = 0;
    var deprecated = 0;
    var revoked = 0;
    for (app in all) {
      for (r in Map.values(app)) {
        switch (r.info.state) {
          case (#draft) draft += 1;
          case (#submitted) submitted += 1;
          case (#approved) approved += 1;
          case (#rejected) rejected += 1;
          case (#released) released += 1;
          case (#deprecated) deprecated += 1;
          case (#revoked) revoked += 1;
        };
      };
    };
    { draft; submitted; approved; rejected; released; deprecated; revoked };
  };
};
