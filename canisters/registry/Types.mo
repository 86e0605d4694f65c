/// The registry's public types: the Candid contract registry/1.0.0
/// (protocol/canister/registry/1.0.0.did), plus the stored records behind
/// them.
module {
  public type Role = { #operator; #developer; #auditor };

  public type Error = {
    #not_found : Text;
    #permission_denied : Text;
    #invalid_argument : Text;
    #already_exists : Text;
    #failed_precondition : Text;
    /// limit: "canisters_per_user", "creations_per_day", "creations_per_hour"
    /// or "registry_cycles"; retry_after_seconds 0: not by waiting.
    #quota_exceeded : { limit : Text; message : Text; retry_after_seconds : Nat64 };
    /// The versions the installed one may go to instead.
    #upgrade_path : { installed : Text; requested : Text; allowed : [Text]; message : Text };
    #internal : Text;
  };

  public type UnitResult = { #ok; #err : Error };

  public type AppInfo = {
    id : Text;
    name : Text;
    description : Text;
    developers : [Principal];
    created_by : Principal;
    created_at : Int;
  };
  public type NewApp = { id : Text; name : Text; description : Text };
  public type AppResult = { #ok : AppInfo; #err : Error };

  public type ReleaseState = { #draft; #submitted; #approved; #rejected; #released; #deprecated; #revoked };

  public type NewRelease = {
    app : Text;
    version : Text;
    protocol : Text;
    notes : Text;
    upgrade_from : Text;
    health_method : ?Text;
    enhanced_persistence : Bool;
    sha256 : Blob;
    size : Nat;
    chunk_hashes : [Blob];
  };

  public type ReleaseInfo = {
    app : Text;
    version : Text;
    protocol : Text;
    notes : Text;
    upgrade_from : Text;
    health_method : Text;
    enhanced_persistence : Bool;
    sha256 : Blob;
    size : Nat;
    chunk_count : Nat;
    chunks_received : Nat;
    state : ReleaseState;
    /// Release channels (e.g. "stable") whose followers take it: ≤ 8.
    channels : [Text];
    uploader : Principal;
    reviewer : ?Principal;
    reason : ?Text;
    created_at : Int;
    updated_at : Int;
  };
  /// ReleaseInfo as stored (the shape registry releases before rollouts
  /// had: enhanced orthogonal persistence keeps it); channels live beside.
  public type StoredReleaseInfo = {
    app : Text;
    version : Text;
    protocol : Text;
    notes : Text;
    upgrade_from : Text;
    health_method : Text;
    enhanced_persistence : Bool;
    sha256 : Blob;
    size : Nat;
    chunk_count : Nat;
    chunks_received : Nat;
    state : ReleaseState;
    uploader : Principal;
    reviewer : ?Principal;
    reason : ?Text;
    created_at : Int;
    updated_at : Int;
  };
  public type ReleaseResult = { #ok : ReleaseInfo; #err : Error };

  public type ChunkUpload = { app : Text; version : Text; index : Nat; chunk : Blob };

  public type CanisterState = { #installed; #upgrading; #uninstalled };
  public type CanisterInfo = {
    canister_id : Principal;
    app : Text;
    version : Text;
    owner : Principal;
    state : CanisterState;
    controlled : Bool;
    /// Whether rollouts upgrade it; its owner sets it, #manual by default.
    policy : UpgradePolicy;
    last_upgrade : ?Nat;
    created_at : Int;
    updated_at : Int;
  };
  /// CanisterInfo as stored (its shape before policies: enhanced
  /// orthogonal persistence keeps it); policies live beside.
  public type StoredCanisterInfo = {
    canister_id : Principal;
    app : Text;
    version : Text;
    owner : Principal;
    state : CanisterState;
    controlled : Bool;
    last_upgrade : ?Nat;
    created_at : Int;
    updated_at : Int;
  };
  public type InstallResult = { #ok : CanisterInfo; #err : Error };

  public type UpgradeState = {
    #queued;
    #stopping;
    #snapshotting;
    #installing;
    #starting;
    #checking;
    #done;
    #rolled_back;
    #failed;
  };
  public type UpgradeStep = { at : Int; state : UpgradeState; message : Text };
  public type UpgradeInfo = {
    id : Nat;
    canister_id : Principal;
    owner : Principal;
    from_version : Text;
    to_version : Text;
    state : UpgradeState;
    reason : ?Text;
    steps : [UpgradeStep];
    started_at : Int;
    finished_at : ?Int;
  };
  public type UpgradeResult = { #ok : UpgradeInfo; #err : Error };

  public type Event = {
    seq : Nat;
    at : Int;
    caller : Principal;
    subject : Text;
    action : Text;
    detail : Text;
  };

  public type Quotas = {
    canisters_per_user : Nat;
    creations_per_user_day : Nat;
    creations_per_hour : Nat;
    cycles_per_canister : Nat;
  };

  public type RegistryInit = { self_audit : [Principal] };

  /// Canisters with one (app, version, state).
  public type FleetCount = { app : Text; version : Text; state : CanisterState; count : Nat };
  /// Upgrades by outcome; in_progress: not yet done, rolled back or failed.
  public type UpgradeCounts = { done : Nat; rolled_back : Nat; failed : Nat; in_progress : Nat };
  public type ReleaseCounts = {
    draft : Nat;
    submitted : Nat;
    approved : Nat;
    rejected : Nat;
    released : Nat;
    deprecated : Nat;
    revoked : Nat;
  };
  /// Counts only (no principals, no canister ids): what fleet_stats answers.
  public type FleetStats = {
    canisters : [FleetCount];
    upgrades : UpgradeCounts;
    releases : ReleaseCounts;
    apps : Nat;
    operators : Nat;
    developers : Nat;
    auditors : Nat;
    /// Canisters under their app's cycles threshold or whose owner is out of credit.
    low_cycles : Nat;
  };

  // ---- stored records ----

  /// A release as stored: its info plus the chunks received so far.
  public type Release = {
    var info : StoredReleaseInfo;
    chunk_hashes : [Blob];
    chunks : [var ?Blob];
  };

  /// A canister as stored: its info plus the id of its snapshot (replaced
  /// by each upgrade).
  public type Canister = {
    var info : StoredCanisterInfo;
    var snapshot : ?Blob;
  };

  public type Upgrade = {
    var info : UpgradeInfo;
  };

  // ---- cycles ----

  /// When a canister is topped up, in dfinity/canfund's terms:
  /// below_balance (canfund's BelowThreshold) funds it up to fund_to when
  /// its balance drops under threshold; below_runtime (canfund's
  /// BelowEstimatedRuntime) adds fund_seconds of its burn when its runway
  /// beyond the freezing limit drops under threshold_seconds.
  public type CyclesStrategy = {
    #below_balance : { threshold : Nat; fund_to : Nat };
    #below_runtime : { threshold_seconds : Nat; fund_seconds : Nat };
  };
  /// A strategy and the most one top-up may deposit.
  public type CyclesPolicy = { strategy : CyclesStrategy; max_top_up : Nat };

  /// The poller: every poll_interval_seconds it reads canister_status of
  /// at most batch_size canisters, round-robin; reserve is what the
  /// registry keeps of its own balance (never given away in top-ups).
  public type CyclesSettings = { poll_interval_seconds : Nat; batch_size : Nat; reserve : Nat };

  /// What the registry knows of one canister's cycles. runway_seconds:
  /// time left beyond the freezing limit at burn_per_day (null: never
  /// polled); low: its app's strategy wants it funded.
  public type CyclesStatus = {
    canister_id : Principal;
    app : Text;
    version : Text;
    owner : Principal;
    balance : Nat;
    burn_per_day : Nat;
    idle_burn_per_day : Nat;
    runway_seconds : ?Nat;
    freezing_limit : Nat;
    low : Bool;
    owner_out_of_credit : Bool;
    /// Cycles the canister lacks that its owner's credit did not cover.
    unfunded : Nat;
    topped_up_total : Nat;
    last_top_up_at : ?Int;
    checked_at : ?Int;
  };

  /// An owner's cycles credit: balance left, charged so far for top-ups,
  /// and what is not funded for lack of it.
  public type CreditInfo = {
    owner : Principal;
    balance : Nat;
    charged : Nat;
    warnings : [Text];
    unfunded : [CyclesStatus];
  };
  public type CreditResult = { #ok : CreditInfo; #err : Error };

  /// The registry's own cycles (operators).
  public type RegistryCycles = {
    balance : Nat;
    reserve : Nat;
    burn_per_day : Nat;
    runway_seconds : ?Nat;
    credit_outstanding : Nat;
    topped_up_total : Nat;
    top_ups : Nat;
  };

  /// One canister_status reading.
  public type CyclesSample = { at : Int; balance : Nat };

  /// The cycles record of a canister as stored.
  public type CanisterCycles = {
    var samples : [CyclesSample];
    var idle_burn_per_day : Nat;
    var freezing_threshold : Nat;
    var memory_size : Nat;
    var out_of_credit : Bool;
    var unfunded : Nat;
    var topped_up_total : Nat;
    var last_top_up_at : ?Int;
  };

  /// An owner's credit as stored.
  public type Credit = { var balance : Nat; var charged : Nat };
  // ---- rollouts ----

  /// What an owner lets rollouts do to their canister: #manual (nothing:
  /// they are only told), #patch (newer patch of the same major.minor),
  /// #minor (same major), #channel (releases in that channel).
  public type UpgradePolicy = { #manual; #patch; #minor; #channel : Text };

  /// The most failures (rolled back or failed upgrades) a rollout bears:
  /// a count, or a percent of the canisters attempted so far.
  public type FailureLimit = { #count : Nat; #percent : Nat };

  public type NewRollout = {
    app : Text;
    version : Text;
    canary_percent : Nat;
    batch_size : Nat;
    max_failures : FailureLimit;
  };

  public type RolloutState = { #canary; #running; #paused; #halted; #aborted; #done };

  public type RolloutFailure = { canister_id : Principal; state : UpgradeState; reason : Text };

  public type RolloutInfo = {
    id : Nat;
    app : Text;
    version : Text;
    canary_percent : Nat;
    batch_size : Nat;
    max_failures : FailureLimit;
    state : RolloutState;
    reason : ?Text;
    started_by : Principal;
    started_at : Int;
    updated_at : Int;
    finished_at : ?Int;
    /// Targets fixed at the start: canisters whose policy admits the version.
    total : Nat;
    pending : Nat;
    in_progress : Nat;
    done : Nat;
    rolled_back : Nat;
    failed : Nat;
    /// Targets no longer eligible when their turn came.
    skipped : Nat;
    /// Canisters that could take the version but are on #manual (told only).
    manual : Nat;
    /// Batches started, the canary included.
    batches : Nat;
    /// The most recent failures, at most 20.
    failures : [RolloutFailure];
  };
  public type RolloutResult = { #ok : RolloutInfo; #err : Error };

  /// A rollout as stored: its info, its targets, how far it got, and the
  /// upgrades of the batch under way (canister, upgrade id).
  public type Rollout = {
    var info : RolloutInfo;
    targets : [Principal];
    var cursor : Nat;
    var attempted : Nat;
    var inflight : [(Principal, Nat)];
    /// The phase resume_rollout returns to.
    var resume_to : RolloutState;
  };
};
