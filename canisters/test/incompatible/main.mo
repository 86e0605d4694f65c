// incompatible: NOT an upgrade successor of counter. Its stable variable
// `count` is Text where counter has Nat, so upgrading counter -> incompatible
// must trap in Motoko's runtime with "Memory-incompatible program upgrade".
persistent actor Incompatible {
  var count : Text = "";

  public query func get() : async Text {
    count;
  };
};
