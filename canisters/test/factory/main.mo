// factory: creates, installs, upgrades, stops and starts test/child canisters
// through the management canister, paying for creation with its own cycles.
// It exercises the replica's inter-canister path to aaaaa-aa: attached
// cycles, Candid-encoded management arguments, and a canister (not a user)
// as controller. The child wasm is passed in (spawn, upgrade_child) rather
// than embedded, so this module stays independent of the child's build.
import Array "mo:core/Array";
import Cycles "mo:core/Cycles";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";

persistent actor Factory {
  // The parts of the management canister interface (ic.did) used here.
  // Records omit optional fields this canister never sets: Candid decodes a
  // missing opt field as null, exactly as the spec's older shapes do.
  type CanisterSettings = {
    controllers : ?[Principal];
  };
  type InstallMode = {
    #install;
    #reinstall;
    #upgrade : ?{
      skip_pre_upgrade : ?Bool;
      wasm_memory_persistence : ?{ #keep; #replace };
    };
  };
  type Management = actor {
    create_canister : ({ settings : ?CanisterSettings }) -> async ({
      canister_id : Principal;
    });
    install_code : ({
      mode : InstallMode;
      canister_id : Principal;
      wasm_module : Blob;
      arg : Blob;
    }) -> async ();
    start_canister : ({ canister_id : Principal }) -> async ();
    stop_canister : ({ canister_id : Principal }) -> async ();
  };
  type Child = actor {
    add : Nat -> async Nat;
  };
  // Each child with the owner it was installed with: an actor class takes
  // its init argument again on upgrade.
  type Spawned = { id : Principal; owner : Principal };

  transient let ic : Management = actor "aaaaa-aa";
  var spawned : [Spawned] = [];

  // Creates a child with `cycles` of this canister's cycles, controlled by
  // this canister alone, and installs `wasm` with the caller as its owner.
  public shared ({ caller }) func spawn(wasm : Blob, cycles : Nat) : async Principal {
    let created = await (with cycles = cycles) ic.create_canister({
      settings = ?{ controllers = ?[Principal.fromActor(Factory)] };
    });
    let id = created.canister_id;
    // Recorded before install, so a failed install still leaves the created
    // canister visible in children().
    spawned := Array.concat(spawned, [{ id; owner = caller }]);
    await ic.install_code({
      mode = #install;
      canister_id = id;
      wasm_module = wasm;
      arg = to_candid (caller);
    });
    id;
  };

  public func call_child(child : Principal, n : Nat) : async Nat {
    let c : Child = actor (Principal.toText(child));
    await c.add(n);
  };

  // Upgrades a child keeping its heap (enhanced orthogonal persistence
  // requires wasm_memory_persistence = ?#keep).
  public func upgrade_child(child : Principal, wasm : Blob) : async () {
    await ic.install_code({
      mode = #upgrade(?{ skip_pre_upgrade = null; wasm_memory_persistence = ?#keep });
      canister_id = child;
      wasm_module = wasm;
      arg = to_candid (ownerOf(child));
    });
  };

  public func stop_child(child : Principal) : async () {
    await ic.stop_canister({ canister_id = child });
  };

  public func start_child(child : Principal) : async () {
    await ic.start_canister({ canister_id = child });
  };

  public query func children() : async [Principal] {
    Array.map<Spawned, Principal>(spawned, func(s) = s.id);
  };

  // Lets a test check that create_canister took the attached cycles.
  public query func balance() : async Nat {
    Cycles.balance();
  };

  func ownerOf(child : Principal) : Principal {
    switch (Array.find<Spawned>(spawned, func(s) = s.id == child)) {
      case (?s) s.owner;
      case null Runtime.trap("upgrade_child: " # Principal.toText(child) # " was not spawned by this factory");
    };
  };
};
