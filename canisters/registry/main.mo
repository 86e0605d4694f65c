/// registry/1.0.0 — placeholder until the registry lands; answers only protocol().
persistent actor class Registry(_init : { self_audit : [Principal] }) {
  public query func protocol() : async Text { "registry/1.0.0" };
};
