/// gated: a release whose health check answers only when a test says so,
/// so that a test can watch an upgrade in its checking step (and what the
/// registry refuses meanwhile). protocol() is an update that keeps awaiting
/// (one self-call per turn, so the replica's rounds go on and ingress gets
/// in) until open_gate() is called, then answers "gated/1.0.0".
/// Install argument: (record { owner : principal }), as the personal
/// canister's, which the registry passes.
persistent actor class Gated(_init : { owner : Principal }) {
  var open = false;

  public func open_gate() : async () { open := true };

  public func close_gate() : async () { open := false };

  public func protocol() : async Text {
    while (not open) { await async {} };
    "gated/1.0.0";
  };
};
