/// Read grants of protocol personal/3.0.0: the owner lets a peer canister read
/// the documents under a key prefix through peer_get_document.
import Array "mo:core/Array";
import Principal "mo:core/Principal";
import Text "mo:core/Text";
import Types "Types";
import Limits "Limits";

module {
  public func covers(grants : [Types.Grant], peer : Principal, key : Text) : Bool {
    Array.any<Types.Grant>(grants, func g = g.peer == peer and Text.startsWith(key, #text(g.prefix)));
  };

  func isGrant(g : Types.Grant, peer : Principal, prefix : Text) : Bool {
    g.peer == peer and g.prefix == prefix;
  };

  /// Adds a grant; granting an existing (peer, prefix) again changes nothing.
  public func add(grants : [Types.Grant], peer : Principal, prefix : Text, now : Int) : { #ok : [Types.Grant]; #err : Types.WriteError } {
    // Only canisters can be peers: a grant to a user principal would let that
    // user read through query calls, which inspect cannot screen.
    if (not Principal.isCanister(peer)) return #err(#invalid "peer must be a canister principal");
    switch (Limits.checkPrefix(prefix)) { case (?reason) return #err(#invalid reason); case null {} };
    if (Array.any<Types.Grant>(grants, func g = isGrant(g, peer, prefix))) return #ok grants;
    if (grants.size() >= Limits.MAX_GRANTS) return #err(#invalid "too many grants: revoke one first");
    #ok(Array.concat(grants, [{ peer; prefix; granted_at = now }]));
  };

  public func remove(grants : [Types.Grant], peer : Principal, prefix : Text) : { #ok : [Types.Grant]; #err : Types.WriteError } {
    let kept = Array.filter<Types.Grant>(grants, func g = not isGrant(g, peer, prefix));
    if (kept.size() == grants.size()) return #err(#not_found);
    #ok kept;
  };
};
