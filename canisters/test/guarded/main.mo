// guarded: exercises canister_inspect_message. Only the owner (the install
// argument) gets ingress update calls through; everyone else's are refused
// before they reach the canister. Inter-canister calls and query calls are
// not inspected, so get stays open to all as a query.
persistent actor class Guarded(owner : Principal) {
  var value : Nat = 0;

  public func set(v : Nat) : async () {
    value := v;
  };

  public query func get() : async Nat {
    value;
  };

  system func inspect({ caller : Principal }) : Bool {
    caller == owner;
  };
};
