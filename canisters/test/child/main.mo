// child: the canister that test/factory creates and installs through the
// management canister. It keeps a counter (add/get), reports who it is
// (whoami), who created it (owner, the install argument) and its cycle
// balance, so a test can check the id, init argument and cycles that
// create_canister and install_code delivered.
import Cycles "mo:core/Cycles";
import Principal "mo:core/Principal";

// The init argument is the owner; the parameter is not called `owner`
// because the public method of that name would shadow it in the whole body.
persistent actor class Child(creator : Principal) = self {
  var count : Nat = 0;

  public query func get() : async Nat {
    count;
  };

  public func add(n : Nat) : async Nat {
    count += n;
    count;
  };

  public func whoami() : async Principal {
    Principal.fromActor(self);
  };

  public query func owner() : async Principal {
    creator;
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };
};
