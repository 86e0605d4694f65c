// burner: burns its own cycles on request, so a test can drain it to its
// freezing threshold and check that the replica then refuses its updates
// (inc) while queries (get) still answer.
import Cycles "mo:core/Cycles";

persistent actor Burner {
  var count : Nat = 0;

  // Burns up to `amount` cycles (ic0.cycles_burn128 burns only what is above
  // the freezing threshold) and returns the balance left.
  public func burn(amount : Nat) : async Nat {
    ignore Cycles.burn<system>(amount);
    Cycles.balance();
  };

  public query func get() : async Nat {
    count;
  };

  public func inc() : async Nat {
    count += 1;
    count;
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };
};
