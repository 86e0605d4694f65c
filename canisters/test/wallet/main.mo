// wallet: a stand-in for dfx's cycles wallet in the tests (the real one's
// module is not available offline). It sends cycles it holds along with a
// call: deposit (the registry's deposit_credit, typed) and wallet_call128
// (any method, raw Candid: dfx's wallet interface, which the CLI's
// `canistry credit deposit --wallet` speaks). Unlike dfx's wallet it lets
// anyone call through it — fine for a test, never for real cycles.
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";
import IC "mo:core/InternetComputer";
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

  public type CallArgs = { canister : Principal; method_name : Text; args : Blob; cycles : Nat };
  public type CallResult = { #Ok : { return_ : Blob }; #Err : Text };

  /// dfx's wallet_call128: calls canister.method_name(args) with cycles
  /// attached; Err when the wallet holds too few or the callee rejects.
  public func wallet_call128(a : CallArgs) : async CallResult {
    if (a.cycles > Cycles.balance()) {
      return #Err("the wallet holds " # debug_show Cycles.balance() # " cycles, fewer than the " # debug_show a.cycles # " to send");
    };
    try {
      #Ok({ return_ = await (with cycles = a.cycles) IC.call(a.canister, a.method_name, a.args) });
    } catch (e) {
      #Err("the call was rejected: " # Error.message(e));
    };
  };

  public query func balance() : async Nat {
    Cycles.balance();
  };

  /// dfx's wallet_balance128.
  public query func wallet_balance128() : async { amount : Nat } {
    { amount = Cycles.balance() };
  };
};
