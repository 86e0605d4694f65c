/// The parts of the management canister (aaaaa-aa, the IC interface
/// specification's ic.did) the registry calls. Records omit the optional
/// fields it never sets, which Candid decodes as null, and replies list only
/// the fields it reads (Candid drops the rest).
module {
  public type InstallMode = {
    #install;
    #reinstall;
    #upgrade : ?{
      skip_pre_upgrade : ?Bool;
      wasm_memory_persistence : ?{ #keep; #replace };
    };
  };

  public type CanisterId = { canister_id : Principal };

  public type Snapshot = { id : Blob; taken_at_timestamp : Nat64; total_size : Nat64 };

  /// The fields of canister_status the cycles monitoring reads.
  public type CanisterStatus = {
    cycles : Nat;
    idle_cycles_burned_per_day : Nat;
    memory_size : Nat;
    settings : { freezing_threshold : Nat };
  };

  public type Management = actor {
    create_canister : ({ settings : ?{ controllers : ?[Principal] } }) -> async CanisterId;
    update_settings : ({ canister_id : Principal; settings : { controllers : ?[Principal] } }) -> async ();
    upload_chunk : ({ canister_id : Principal; chunk : Blob }) -> async { hash : Blob };
    clear_chunk_store : CanisterId -> async ();
    install_chunked_code : ({
      mode : InstallMode;
      target_canister : Principal;
      store_canister : ?Principal;
      chunk_hashes_list : [{ hash : Blob }];
      wasm_module_hash : Blob;
      arg : Blob;
    }) -> async ();
    uninstall_code : CanisterId -> async ();
    start_canister : CanisterId -> async ();
    stop_canister : CanisterId -> async ();
    delete_canister : CanisterId -> async ();
    take_canister_snapshot : ({ canister_id : Principal; replace_snapshot : ?Blob }) -> async Snapshot;
    load_canister_snapshot : ({ canister_id : Principal; snapshot_id : Blob }) -> async ();
    canister_status : CanisterId -> async CanisterStatus;
    deposit_cycles : CanisterId -> async ();
  };
};
