// wallet: sends cycles it holds along with a call, as a cycles wallet
// does, so that tests reach the registry's deposit_credit from a canister
// caller (an ingress message cannot carry cycles).
import Cycles "mo:core/Cycles";
import Principal "mo:core/Principal";

persistent actor Wallet {
  // The reply (a CreditResult) is dropped: the test reads the credit.
  type Registry = actor { deposit_credit : (?Principal) -> async () };

  // Calls registry.deposit_credit(owner) with amount cycles attached and
  // returns what the registry refunded.
  public func deposit(registry : Principal, owner : ?Principal, amount : Nat) : async Nat {
    let r : Registry = actor (Principal.toText(registry));
    await (with cycles = amount) r.deposit_credit(owner);
    Cycles.refunded();
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };
};
