// beater: counts its heartbeats (canister_heartbeat, run once per round
// while the canister runs), so a test can watch the count advance.
persistent actor Beater {
  var beats : Nat = 0;

  system func heartbeat() : async () {
    beats += 1;
  };

  public query func get() : async Nat {
    beats;
  };
};
