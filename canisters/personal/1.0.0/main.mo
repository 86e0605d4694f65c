/// personal/1.0.0 — a key-value store owned by one principal.
///
/// Install and upgrade argument: (record { owner : principal }). On upgrade the
/// stored owner is kept and the argument's owner is ignored (it must still
/// decode, because the actor class parameter is decoded on every install).
import Error "mo:core/Error";
import Iter "mo:core/Iter";
import Map "mo:core/Map";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Nat "mo:core/Nat";

import Limits "Limits";
import Upgrade "Upgrade";

(with migration = Upgrade.migration)
persistent actor class Personal(init : { owner : Principal }) {

  // An anonymous owner would make every caller the owner.
  if (Principal.isAnonymous(init.owner)) {
    Runtime.trap(Upgrade.PROTOCOL # ": the owner must not be the anonymous principal");
  };

  let owner : Principal = init.owner;
  let data_version : Nat = Upgrade.DATA_VERSION;
  // Named kv_entries (not "store") because later versions keep this field to
  // inherit 1.0.0 data; the name is therefore frozen.
  let kv_entries = Map.empty<Text, Blob>();

  // Upgrade.migration stamped data_version before this body ran (or the
  // initializer did on a fresh install); anything else is a broken invariant.
  if (data_version != Upgrade.DATA_VERSION) {
    Runtime.trap(Upgrade.PROTOCOL # ": data_version is " # Nat.toText(data_version) # " after upgrade, expected " # Nat.toText(Upgrade.DATA_VERSION));
  };

  // Ingress update calls from anyone but the owner are refused before they
  // are executed, so strangers cannot make this canister pay for them.
  system func inspect({ caller : Principal }) : Bool {
    caller == owner;
  };

  func notOwner(caller : Principal) : Error {
    Error.reject(Upgrade.PROTOCOL # ": caller " # Principal.toText(caller) # " is not the owner of this canister");
  };

  func invalid(reason : Text) : Error {
    Error.reject(Upgrade.PROTOCOL # ": " # reason);
  };

  /// Protocol identifier, callable by anyone (peers use it to negotiate).
  public query func protocol() : async Text {
    Upgrade.PROTOCOL;
  };

  /// Stores value under key, replacing any previous value.
  public shared ({ caller }) func put(key : Text, value : Blob) : async () {
    if (caller != owner) throw notOwner(caller);
    switch (Limits.checkKey(key)) { case (?reason) throw invalid(reason); case null {} };
    switch (Limits.checkValue(value)) { case (?reason) throw invalid(reason); case null {} };
    if (Map.size(kv_entries) >= Limits.MAX_ENTRIES and not Map.containsKey(kv_entries, Text.compare, key)) {
      throw invalid("the store is full: it holds the limit of " # Nat.toText(Limits.MAX_ENTRIES) # " entries");
    };
    Map.add(kv_entries, Text.compare, key, value);
  };

  public shared query ({ caller }) func get(key : Text) : async ?Blob {
    if (caller != owner) throw notOwner(caller);
    Map.get(kv_entries, Text.compare, key);
  };

  /// All keys in ascending order.
  public shared query ({ caller }) func keys() : async [Text] {
    if (caller != owner) throw notOwner(caller);
    Iter.toArray(Map.keys(kv_entries));
  };

  /// Removes key; returns whether it was present.
  public shared ({ caller }) func remove(key : Text) : async Bool {
    if (caller != owner) throw notOwner(caller);
    Map.delete(kv_entries, Text.compare, key);
  };
};
