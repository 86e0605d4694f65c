/// Upgrades into protocol personal/3.0.0 (from 1.0.0, 2.0.0 or 3.0.0 data).
///
/// `migration` runs on every upgrade into this code, before the actor body:
/// it refuses data written by a newer layout (trapping aborts the upgrade
/// atomically, so the newer code keeps running) and stamps data_version.
/// Enhanced orthogonal persistence already refuses most downgrades because
/// newer stable fields are unknown here; this guard makes the refusal explicit
/// for newer layouts whose types happen to fit.
///
/// The 1.0.0 → documents conversion is NOT done in `migration`: a migration
/// function traps when a field of its domain is absent, and the field that
/// receives the converted data (`documents`) does not exist in 1.0.0 data while
/// it must be inherited from 2.0.0 and 3.0.0 data. So the actor keeps 1.0.0's
/// `kv_entries` field and its body drains it with `drainV1` on every start
/// (a no-op once drained or on a fresh install). The sharing and messaging
/// fields are new in 3.0.0: absent in older data, their initializers run.
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Types "Types";

module {
  public let DATA_VERSION : Nat = 3;
  public let PROTOCOL : Text = "personal/3.0.0";
  public let MIGRATED_CONTENT_TYPE : Text = "application/octet-stream";

  public func migration(old : { data_version : Nat }) : { data_version : Nat } {
    if (old.data_version > DATA_VERSION) {
      Runtime.trap(
        PROTOCOL # " refuses to downgrade: the stored data has data_version " # Nat.toText(old.data_version) #
        " but this code understands data_version " # Nat.toText(DATA_VERSION) # " at most"
      );
    };
    { data_version = DATA_VERSION };
  };

  /// Moves every 1.0.0 value into a document (revision 1, updated_at = now)
  /// and empties the 1.0.0 map. Returns how many values were moved.
  public func drainV1(kvEntries : Map.Map<Text, Blob>, documents : Map.Map<Text, Types.Document>, now : Int) : Nat {
    let moved = Map.size(kvEntries);
    for ((key, value) in Map.entries(kvEntries)) {
      Map.add(
        documents,
        Text.compare,
        key,
        { key; content = value; content_type = MIGRATED_CONTENT_TYPE; revision = 1; updated_at = now },
      );
    };
    Map.clear(kvEntries);
    moved;
  };
};
