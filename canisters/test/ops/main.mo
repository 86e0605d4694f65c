// ops: what a registry or fleet canister asks of the management canister
// on-chain. It keeps a module in its chunk store (upload_chunk), installs it
// into canisters it creates (install_chunked_code, with itself or another
// canister as the store), reads other canisters' canister_info, and adds up
// other canisters' get queries in a composite query.
import Array "mo:core/Array";
import Principal "mo:core/Principal";

persistent actor Ops {
  type ChunkHash = { hash : Blob };
  type InstallMode = {
    #install;
    #reinstall;
    #upgrade : ?{
      skip_pre_upgrade : ?Bool;
      wasm_memory_persistence : ?{ #keep; #replace };
    };
  };
  // canister_info's result (ic.did's change and canister_info_result).
  type Change = {
    timestamp_nanos : Nat64;
    canister_version : Nat64;
    origin : {
      #from_user : { user_id : Principal };
      #from_canister : { canister_id : Principal; canister_version : ?Nat64 };
    };
    details : {
      #creation : { controllers : [Principal] };
      #code_uninstall;
      #code_deployment : {
        mode : { #install; #reinstall; #upgrade };
        module_hash : Blob;
      };
      #load_snapshot : {
        canister_version : Nat64;
        snapshot_id : Blob;
        taken_at_timestamp : Nat64;
      };
      #controllers_change : { controllers : [Principal] };
    };
  };
  type Info = {
    total_num_changes : Nat64;
    recent_changes : [Change];
    module_hash : ?Blob;
    controllers : [Principal];
  };
  type Management = actor {
    create_canister : ({ settings : ?{ controllers : ?[Principal] } }) -> async {
      canister_id : Principal;
    };
    upload_chunk : ({ canister_id : Principal; chunk : Blob }) -> async ChunkHash;
    stored_chunks : ({ canister_id : Principal }) -> async [ChunkHash];
    clear_chunk_store : ({ canister_id : Principal }) -> async ();
    install_chunked_code : ({
      mode : InstallMode;
      target_canister : Principal;
      store_canister : ?Principal;
      chunk_hashes_list : [ChunkHash];
      wasm_module_hash : Blob;
      arg : Blob;
    }) -> async ();
    canister_info : ({
      canister_id : Principal;
      num_requested_changes : ?Nat64;
    }) -> async Info;
  };
  type Counter = actor { get : shared query () -> async Nat };

  transient let ic : Management = actor "aaaaa-aa";

  func self() : Principal { Principal.fromActor(Ops) };

  func hashes(hs : [Blob]) : [ChunkHash] {
    Array.map<Blob, ChunkHash>(hs, func(h) = { hash = h });
  };

  // Puts chunks into the chunk store of `store` (this canister when null)
  // and returns their hashes.
  public func upload(store : ?Principal, chunks : [Blob]) : async [Blob] {
    let target = switch (store) { case (?s) s; case null self() };
    var out : [Blob] = [];
    for (chunk in chunks.vals()) {
      let h = await ic.upload_chunk({ canister_id = target; chunk });
      out := Array.concat(out, [h.hash]);
    };
    out;
  };

  public func stored(store : Principal) : async [Blob] {
    let hs = await ic.stored_chunks({ canister_id = store });
    Array.map<ChunkHash, Blob>(hs, func(h) = h.hash);
  };

  public func clear(store : Principal) : async () {
    await ic.clear_chunk_store({ canister_id = store });
  };

  // Creates `n` canisters with `cycles` each, controlled by this canister,
  // and installs the module made of the chunks in its own store into each.
  public func spawn_chunked(n : Nat, cycles : Nat, chunks : [Blob], wasm_hash : Blob) : async [Principal] {
    var out : [Principal] = [];
    var i = 0;
    while (i < n) {
      let created = await (with cycles) ic.create_canister({
        settings = ?{ controllers = ?[self()] };
      });
      await ic.install_chunked_code({
        mode = #install;
        target_canister = created.canister_id;
        store_canister = ?self();
        chunk_hashes_list = hashes(chunks);
        wasm_module_hash = wasm_hash;
        arg = "";
      });
      out := Array.concat(out, [created.canister_id]);
      i += 1;
    };
    out;
  };

  // Installs into `target` from the chunk store of `store`.
  public func install_chunked(target : Principal, store : ?Principal, chunks : [Blob], wasm_hash : Blob) : async () {
    await ic.install_chunked_code({
      mode = #install;
      target_canister = target;
      store_canister = store;
      chunk_hashes_list = hashes(chunks);
      wasm_module_hash = wasm_hash;
      arg = "";
    });
  };

  public func info(id : Principal, n : ?Nat64) : async Info {
    await ic.canister_info({ canister_id = id; num_requested_changes = n });
  };

  // The sum of the counters' get queries, called from a composite query.
  public composite query func sum(counters : [Principal]) : async Nat {
    var total = 0;
    for (id in counters.vals()) {
      let c : Counter = actor (Principal.toText(id));
      total += await c.get();
    };
    total;
  };
};
