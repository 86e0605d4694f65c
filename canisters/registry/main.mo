/// registry/1.0.0 — the Canistry app store: apps, audited releases, and
/// per-user canisters the registry creates, installs and upgrades.
///
/// Roles: operators (first: the installer) grant and revoke roles and set
/// quotas; developers publish the releases of the apps they develop;
/// auditors approve or reject submitted releases (never their own upload,
/// unless the install argument lists them in self_audit, which is logged
/// as a waiver). Any signed-in user may install, upgrade, uninstall,
/// delete and release_control their own canisters; `inspect` refuses every
/// other update from principals with no role before it runs.
///
/// Hashes: each uploaded chunk is hashed by the IC itself (the registry
/// uploads it to its own chunk store, compares the SHA-256 the management
/// canister answers with the declared one, and clears the store again);
/// the whole module is checked by the IC on every install, which goes
/// through install_chunked_code with wasm_module_hash = the release's
/// sha256.
///
/// Install and upgrade argument: (record { self_audit : vec principal });
/// every stored value survives upgrades (enhanced orthogonal persistence).
import Array "mo:core/Array";
import Blob "mo:core/Blob";
import Cycles "mo:core/Cycles";
import Error "mo:core/Error";
import IC "mo:core/InternetComputer";
import Iter "mo:core/Iter";
import List "mo:core/List";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Nat8 "mo:core/Nat8";
import Principal "mo:core/Principal";
import Set "mo:core/Set";
import Text "mo:core/Text";
import Time "mo:core/Time";
import Timer "mo:core/Timer";

import Fund "Cycles";
import Fleet "Fleet";
import Mgmt "Mgmt";
import Policy "Policy";
import Quota "Quota";
import Rollout "Rollout";
import Semver "Semver";
import Types "Types";
import V "Validate";

shared ({ caller = installer }) persistent actor class Registry(init : Types.RegistryInit) = this {
  public type Role = Types.Role;
  public type Error = Types.Error;
  public type UnitResult = Types.UnitResult;
  public type AppInfo = Types.AppInfo;
  public type NewApp = Types.NewApp;
  public type AppResult = Types.AppResult;
  public type ReleaseState = Types.ReleaseState;
  public type NewRelease = Types.NewRelease;
  public type ReleaseInfo = Types.ReleaseInfo;
  public type ReleaseResult = Types.ReleaseResult;
  public type ChunkUpload = Types.ChunkUpload;
  public type CanisterState = Types.CanisterState;
  public type CanisterInfo = Types.CanisterInfo;
  public type InstallResult = Types.InstallResult;
  public type UpgradeState = Types.UpgradeState;
  public type UpgradeStep = Types.UpgradeStep;
  public type UpgradeInfo = Types.UpgradeInfo;
  public type UpgradeResult = Types.UpgradeResult;
  public type Event = Types.Event;
  public type Quotas = Types.Quotas;
  public type RegistryInit = Types.RegistryInit;
  public type FleetCount = Types.FleetCount;
  public type UpgradeCounts = Types.UpgradeCounts;
  public type ReleaseCounts = Types.ReleaseCounts;
  public type FleetStats = Types.FleetStats;
  public type CyclesPolicy = Types.CyclesPolicy;
  public type CyclesStrategy = Types.CyclesStrategy;
  public type CyclesSettings = Types.CyclesSettings;
  public type CyclesStatus = Types.CyclesStatus;
  public type CreditInfo = Types.CreditInfo;
  public type CreditResult = Types.CreditResult;
  public type RegistryCycles = Types.RegistryCycles;
  public type UpgradePolicy = Types.UpgradePolicy;
  public type FailureLimit = Types.FailureLimit;
  public type NewRollout = Types.NewRollout;
  public type RolloutState = Types.RolloutState;
  public type RolloutFailure = Types.RolloutFailure;
  public type RolloutInfo = Types.RolloutInfo;
  public type RolloutResult = Types.RolloutResult;

  transient let PROTOCOL = "registry/1.0.0";
  /// Ingress arguments above this are refused in inspect: the largest
  /// legitimate one is an upload of a 1 MiB chunk.
  transient let MAX_ARG_BYTES = V.MAX_CHUNK_BYTES + 4096;
  /// Cycles the registry keeps for itself beyond a new canister's share.
  transient let CYCLES_RESERVE = 10_000_000_000;
  /// The most rollouts list_rollouts answers.
  transient let MAX_ROLLOUT_PAGE = 100;

  transient let ic : Mgmt.Management = actor "aaaaa-aa";

  // ---- state (all of it survives upgrades) ----

  let operators = Set.fromArray<Principal>([installer], Principal.compare);
  let developers = Set.empty<Principal>();
  let auditors = Set.empty<Principal>();
  let self_audit = Set.fromArray<Principal>(init.self_audit, Principal.compare);

  let apps = Map.empty<Text, AppInfo>();
  /// app → version → release
  let releases = Map.empty<Text, Map.Map<Text, Types.Release>>();

  let canisters = Map.empty<Principal, Types.Canister>();
  /// owner → their canisters (the index my_canisters reads)
  let owned = Map.empty<Principal, [Principal]>();
  /// "canister:<id>" → its owner, kept after delete so that its history
  /// stays readable by them
  let ever_owner = Map.empty<Text, Principal>();

  let upgrades = Map.empty<Nat, Types.Upgrade>();
  var next_upgrade : Nat = 1;

  let events = List.empty<Event>();
  /// subject → positions of its events in `events`
  let by_subject = Map.empty<Text, List.List<Nat>>();

  var quotas : Quotas = {
    canisters_per_user = 3;
    creations_per_user_day = 5;
    creations_per_hour = 1000;
    cycles_per_canister = 1_000_000_000_000;
  };
  /// creation times per user within the last day, and everyone's within the last hour
  let user_creations = Map.empty<Principal, [Int]>();
  var hour_creations : [Int] = [];

  /// Installs under way per user (count toward canisters_per_user), and
  /// canisters an uninstall, delete or release_control is working on. No
  /// call is outstanding across an upgrade of the registry (it is stopped
  /// first), so these start empty.
  transient let pending = Map.empty<Principal, Nat>();
  transient let busy = Set.empty<Principal>();

  // ---- roles ----

  func has(set : Set.Set<Principal>, p : Principal) : Bool = Set.contains(set, Principal.compare, p);
  func isOperator(p : Principal) : Bool = has(operators, p);
  func roleSet(r : Role) : Set.Set<Principal> {
    switch r { case (#operator) operators; case (#developer) developers; case (#auditor) auditors };
  };
  func anyRole(p : Principal) : Bool = has(operators, p) or has(developers, p) or has(auditors, p);
  func roleText(r : Role) : Text {
    switch r { case (#operator) "operator"; case (#developer) "developer"; case (#auditor) "auditor" };
  };
  func pText(p : Principal) : Text = Principal.toText(p);

  func denied(what : Text) : Error = #permission_denied(what);

  // ---- history ----

  func log(caller : Principal, subject : Text, action : Text, detail : Text) {
    let position = events.size();
    List.add(events, { seq = position + 1; at = Time.now(); caller; subject; action; detail });
    switch (Map.get(by_subject, Text.compare, subject)) {
      case (?list) List.add(list, position);
      case null Map.add(by_subject, Text.compare, subject, List.fromArray<Nat>([position]));
    };
  };

  func appSubject(id : Text) : Text = "app:" # id;
  func releaseSubject(app : Text, version : Text) : Text = "release:" # app # "/" # version;
  func canisterSubject(id : Principal) : Text = "canister:" # pText(id);

  // ---- inspect ----

  /// Refuses ingress updates early: from the anonymous principal, with an
  /// oversized argument, or from callers without a role to any method but
  /// the ones every user may call on their own canisters.
  system func inspect({
    caller : Principal;
    arg : Blob;
    msg : {
      #protocol : Any;
      #grant_role : Any;
      #revoke_role : Any;
      #my_roles : Any;
      #list_role : Any;
      #create_app : Any;
      #add_developer : Any;
      #remove_developer : Any;
      #list_apps : Any;
      #get_app : Any;
      #create_release : Any;
      #upload_chunk : Any;
      #submit_release : Any;
      #approve_release : Any;
      #reject_release : Any;
      #publish_release : Any;
      #deprecate_release : Any;
      #revoke_release : Any;
      #list_releases : Any;
      #get_release : Any;
      #install : Any;
      #my_canisters : Any;
      #get_canister : Any;
      #upgrade : Any;
      #upgrade_targets : Any;
      #get_upgrade : Any;
      #uninstall : Any;
      #delete : Any;
      #release_control : Any;
      #history : Any;
      #get_quotas : Any;
      #set_quotas : Any;
      #fleet_stats : Any;
      #set_cycles_policy : Any;
      #get_cycles_policy : Any;
      #set_cycles_settings : Any;
      #get_cycles_settings : Any;
      #cycles_status : Any;
      #low_cycles : Any;
      #my_credit : Any;
      #grant_credit : Any;
      #deposit_credit : Any;
      #registry_cycles : Any;
      #set_policy : Any;
      #set_release_channels : Any;
      #start_rollout : Any;
      #get_rollout : Any;
      #list_rollouts : Any;
      #pause_rollout : Any;
      #resume_rollout : Any;
      #abort_rollout : Any;
    };
  }) : Bool {
    if (Principal.isAnonymous(caller) or arg.size() > MAX_ARG_BYTES) return false;
    switch msg {
      case (#install _ or #upgrade _ or #uninstall _ or #delete _ or #release_control _ or #set_policy _) true;
      case _ anyRole(caller);
    };
  };

  public query func protocol() : async Text { PROTOCOL };

  public shared ({ caller }) func grant_role(role : Role, p : Principal) : async UnitResult {
    if (not isOperator(caller)) return #err(denied("only operators grant roles"));
    if (Principal.isAnonymous(p)) return #err(#invalid_argument("the anonymous principal cannot hold a role"));
    if (Set.insert(roleSet(role), Principal.compare, p)) {
      log(caller, "role:" # pText(p), "granted", roleText(role));
    };
    #ok;
  };

  public shared ({ caller }) func revoke_role(role : Role, p : Principal) : async UnitResult {
    if (not isOperator(caller)) return #err(denied("only operators revoke roles"));
    let set = roleSet(role);
    if (not has(set, p)) return #err(#not_found(pText(p) # " is not a " # roleText(role)));
    if (role == #operator and Set.size(operators) == 1) {
      return #err(#failed_precondition("the last operator cannot be revoked"));
    };
    Set.remove(set, Principal.compare, p);
    log(caller, "role:" # pText(p), "revoked", roleText(role));
    #ok;
  };

  public shared query ({ caller }) func my_roles() : async [Role] {
    Array.filter<Role>([#operator, #developer, #auditor], func(r) = has(roleSet(r), caller));
  };

  /// Operators only; anyone else gets an empty list.
  public shared query ({ caller }) func list_role(role : Role) : async [Principal] {
    if (not isOperator(caller)) return [];
    Set.toArray(roleSet(role));
  };

  // ---- apps ----

  func isAppDeveloper(app : AppInfo, p : Principal) : Bool {
    has(developers, p) and Array.any<Principal>(app.developers, func(d) = d == p);
  };

  public shared ({ caller }) func create_app(new_app : NewApp) : async AppResult {
    if (not (isOperator(caller) or has(developers, caller))) return #err(denied("only operators and developers create apps"));
    switch (V.first([V.appId(new_app.id), V.name(new_app.name), V.atMostBytes("description", new_app.description, V.MAX_DESCRIPTION_BYTES)])) {
      case (?reason) return #err(#invalid_argument(reason));
      case null {};
    };
    if (Map.containsKey(apps, Text.compare, new_app.id)) return #err(#already_exists("app " # new_app.id # " exists"));
    let app : AppInfo = {
      id = new_app.id;
      name = new_app.name;
      description = new_app.description;
      developers = [caller];
      created_by = caller;
      created_at = Time.now();
    };
    Map.add(apps, Text.compare, new_app.id, app);
    log(caller, appSubject(new_app.id), "created", new_app.name);
    #ok app;
  };

  func appFor(caller : Principal, id : Text) : { #ok : AppInfo; #err : Error } {
    let ?app = Map.get(apps, Text.compare, id) else return #err(#not_found("no app " # id));
    if (not (isOperator(caller) or isAppDeveloper(app, caller))) {
      return #err(denied("only operators and the developers of " # id # " change it"));
    };
    #ok app;
  };

  public shared ({ caller }) func add_developer(id : Text, p : Principal) : async AppResult {
    let app = switch (appFor(caller, id)) { case (#err e) return #err e; case (#ok a) a };
    if (not has(developers, p)) return #err(#failed_precondition(pText(p) # " does not hold the developer role"));
    if (Array.any<Principal>(app.developers, func(d) = d == p)) return #ok app;
    let changed = { app with developers = Array.concat(app.developers, [p]) };
    Map.add(apps, Text.compare, id, changed);
    log(caller, appSubject(id), "developer_added", pText(p));
    #ok changed;
  };

  public shared ({ caller }) func remove_developer(id : Text, p : Principal) : async AppResult {
    let app = switch (appFor(caller, id)) { case (#err e) return #err e; case (#ok a) a };
    if (not Array.any<Principal>(app.developers, func(d) = d == p)) return #err(#not_found(pText(p) # " is not a developer of " # id));
    let changed = { app with developers = Array.filter<Principal>(app.developers, func(d) = d != p) };
    Map.add(apps, Text.compare, id, changed);
    log(caller, appSubject(id), "developer_removed", pText(p));
    #ok changed;
  };

  public query func list_apps() : async [AppInfo] {
    Iter.toArray(Map.values(apps));
  };

  public query func get_app(id : Text) : async ?AppInfo {
    Map.get(apps, Text.compare, id);
  };

  // ---- releases ----

  func versionOrder(a : Text, b : Text) : { #less; #equal; #greater } {
    switch (Semver.parse(a), Semver.parse(b)) {
      case (?x, ?y) Semver.compare(x, y);
      case _ Text.compare(a, b);
    };
  };

  func appReleases(app : Text) : Map.Map<Text, Types.Release> {
    switch (Map.get(releases, Text.compare, app)) {
      case (?m) m;
      case null {
        let m = Map.empty<Text, Types.Release>();
        Map.add(releases, Text.compare, app, m);
        m;
      };
    };
  };

  func findRelease(app : Text, version : Text) : ?Types.Release {
    let ?m = Map.get(releases, Text.compare, app) else return null;
    Map.get(m, Text.compare, version);
  };

  func stateText(s : ReleaseState) : Text {
    switch s {
      case (#draft) "draft";
      case (#submitted) "submitted";
      case (#approved) "approved";
      case (#rejected) "rejected";
      case (#released) "released";
      case (#deprecated) "deprecated";
      case (#revoked) "revoked";
    };
  };

  func checkNewRelease(r : NewRelease) : ?Text {
    let sizes = if (r.size == 0 or r.size > V.MAX_MODULE_BYTES) {
      ?("size must be 1 to " # Nat.toText(V.MAX_MODULE_BYTES) # " bytes");
    } else if (r.chunk_hashes.size() == 0 or r.chunk_hashes.size() > V.MAX_CHUNKS) {
      ?("a module comes in 1 to " # Nat.toText(V.MAX_CHUNKS) # " chunks");
    } else if (r.size > r.chunk_hashes.size() * V.MAX_CHUNK_BYTES) {
      ?("chunks are at most " # Nat.toText(V.MAX_CHUNK_BYTES) # " bytes: " # Nat.toText(r.size) # " bytes need more than " # Nat.toText(r.chunk_hashes.size()));
    } else null;
    let hashes = Array.find<Blob>(r.chunk_hashes, func(h) = h.size() != 32);
    V.first([
      V.appId(r.app),
      if (Semver.parse(r.version) == null) ?("version " # debug_show r.version # " is not MAJOR.MINOR.PATCH[-pre]") else null,
      V.protocol(r.protocol),
      V.atMostBytes("notes", r.notes, V.MAX_NOTES_BYTES),
      if (Semver.parseConstraint(r.upgrade_from) == null) ?("upgrade_from " # debug_show r.upgrade_from # " is not a version constraint") else null,
      switch (r.health_method) { case (?m) V.method(m); case null null },
      V.sha256("sha256", r.sha256),
      sizes,
      if (hashes != null) ?"every chunk hash must be a SHA-256 (32 bytes)" else null,
    ]);
  };

  public shared ({ caller }) func create_release(r : NewRelease) : async ReleaseResult {
    switch (checkNewRelease(r)) { case (?reason) return #err(#invalid_argument(reason)); case null {} };
    let ?app = Map.get(apps, Text.compare, r.app) else return #err(#not_found("no app " # r.app));
    if (not isAppDeveloper(app, caller)) return #err(denied("only the developers of " # r.app # " upload its releases"));
    let m = appReleases(r.app);
    if (Map.containsKey(m, Text.compare, r.version)) return #err(#already_exists("release " # r.app # "/" # r.version # " exists"));
    let now = Time.now();
    let info : Types.StoredReleaseInfo = {
      app = r.app;
      version = r.version;
      protocol = r.protocol;
      notes = r.notes;
      upgrade_from = r.upgrade_from;
      health_method = switch (r.health_method) { case (?h) h; case null "protocol" };
      enhanced_persistence = r.enhanced_persistence;
      sha256 = r.sha256;
      size = r.size;
      chunk_count = r.chunk_hashes.size();
      chunks_received = 0;
      state = #draft;
      uploader = caller;
      reviewer = null;
      reason = null;
      created_at = now;
      updated_at = now;
    };
    Map.add(m, Text.compare, r.version, { var info; chunk_hashes = r.chunk_hashes; chunks = Array.toVarArray<?Blob>(Array.repeat<?Blob>(null, r.chunk_hashes.size())) });
    log(caller, releaseSubject(r.app, r.version), "created", r.protocol # ", " # Nat.toText(r.size) # " bytes in " # Nat.toText(r.chunk_hashes.size()) # " chunks");
    #ok(releaseOut(info));
  };

  /// The release app/version for a caller who must be one of its app's developers.
  func developersRelease(caller : Principal, app : Text, version : Text) : { #ok : Types.Release; #err : Error } {
    let ?a = Map.get(apps, Text.compare, app) else return #err(#not_found("no app " # app));
    let ?rel = findRelease(app, version) else return #err(#not_found("no release " # app # "/" # version));
    if (not isAppDeveloper(a, caller)) return #err(denied("only the developers of " # app # " do this"));
    #ok rel;
  };

  func received(rel : Types.Release) : Nat {
    Array.foldLeft<?Blob, Nat>(Array.fromVarArray(rel.chunks), 0, func(n, c) = if (c == null) n else n + 1);
  };

  /// Stores one chunk of a draft, after the IC hashed it: the chunk goes to
  /// the registry's own chunk store, whose reply is its SHA-256.
  public shared ({ caller }) func upload_chunk(u : ChunkUpload) : async UnitResult {
    let rel = switch (developersRelease(caller, u.app, u.version)) { case (#err e) return #err e; case (#ok r) r };
    if (rel.info.state != #draft) return #err(#failed_precondition(u.app # "/" # u.version # " is " # stateText(rel.info.state) # "; chunks go into drafts only"));
    if (u.index >= rel.chunk_hashes.size()) return #err(#invalid_argument("chunk index " # Nat.toText(u.index) # " is out of range (the release has " # Nat.toText(rel.chunk_hashes.size()) # " chunks)"));
    if (u.chunk.size() == 0 or u.chunk.size() > V.MAX_CHUNK_BYTES) return #err(#invalid_argument("a chunk is 1 to " # Nat.toText(V.MAX_CHUNK_BYTES) # " bytes"));
    let self = Principal.fromActor(this);
    let hash = try {
      (await ic.upload_chunk({ canister_id = self; chunk = u.chunk })).hash;
    } catch (e) {
      return #err(#internal("hashing the chunk through the management canister failed: " # Error.message(e)));
    };
    // Only the hash was wanted: the chunk stays in the store, which also
    // caches the chunks of releases being installed (own_store); once it
    // holds STORE_SWEEP chunks it is emptied, unless a live rollout
    // installs from it (a failure here is retried by the next sweep).
    stray_chunks += 1;
    if (stray_chunks + Set.size(own_store) >= STORE_SWEEP and not rolloutsLive()) {
      Set.clear(own_store);
      stray_chunks := 0;
      try { await ic.clear_chunk_store({ canister_id = self }) } catch (_) {};
    };
    if (hash != rel.chunk_hashes[u.index]) {
      return #err(#invalid_argument("chunk " # Nat.toText(u.index) # " has SHA-256 " # hex(hash) # ", not the declared " # hex(rel.chunk_hashes[u.index])));
    };
    // The release may have moved on while the IC hashed the chunk.
    if (rel.info.state != #draft) return #err(#failed_precondition(u.app # "/" # u.version # " is no longer a draft"));
    rel.chunks[u.index] := ?u.chunk;
    rel.info := { rel.info with chunks_received = received(rel); updated_at = Time.now() };
    log(caller, releaseSubject(u.app, u.version), "uploaded", "chunk " # Nat.toText(u.index) # ", " # Nat.toText(u.chunk.size()) # " bytes");
    #ok;
  };

  func hex(b : Blob) : Text {
    let digits = "0123456789abcdef";
    let chars = Text.toArray(digits);
    var out = "";
    for (byte in b.vals()) {
      let n = Nat8.toNat(byte);
      out #= Text.fromChar(chars[n / 16]) # Text.fromChar(chars[n % 16]);
    };
    out;
  };

  func transition(caller : Principal, rel : Types.Release, to : ReleaseState, reviewer : ?Principal, reason : ?Text, detail : Text) : ReleaseResult {
    let info = rel.info;
    rel.info := {
      info with state = to;
      reviewer = switch reviewer { case null info.reviewer; case r r };
      reason = switch reason { case null info.reason; case r r };
      updated_at = Time.now();
    };
    log(caller, releaseSubject(info.app, info.version), stateText(to), detail);
    #ok(releaseOut(rel.info));
  };

  func wrongState(rel : Types.Release, want : Text) : ReleaseResult {
    #err(#failed_precondition(rel.info.app # "/" # rel.info.version # " is " # stateText(rel.info.state) # ", not " # want));
  };

  public shared ({ caller }) func submit_release(app : Text, version : Text) : async ReleaseResult {
    let rel = switch (developersRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    if (rel.info.state != #draft) return wrongState(rel, "draft");
    let have = received(rel);
    if (have != rel.chunk_hashes.size()) return #err(#failed_precondition(Nat.toText(have) # " of " # Nat.toText(rel.chunk_hashes.size()) # " chunks received"));
    let total = Array.foldLeft<?Blob, Nat>(Array.fromVarArray(rel.chunks), 0, func(n, c) = switch c { case (?b) n + b.size(); case null n });
    if (total != rel.info.size) return #err(#invalid_argument("the chunks hold " # Nat.toText(total) # " bytes, the release declares " # Nat.toText(rel.info.size)));
    // A one-chunk module's hash is known now; longer ones the IC checks on install.
    if (rel.chunk_hashes.size() == 1 and rel.chunk_hashes[0] != rel.info.sha256) {
      return #err(#invalid_argument("the only chunk's SHA-256 is not the module's sha256"));
    };
    transition(caller, rel, #submitted, null, null, "");
  };

  func auditorsRelease(caller : Principal, app : Text, version : Text) : { #ok : Types.Release; #err : Error } {
    if (not has(auditors, caller)) return #err(denied("only auditors review releases"));
    let ?rel = findRelease(app, version) else return #err(#not_found("no release " # app # "/" # version));
    if (rel.info.state != #submitted) return #err(#failed_precondition(app # "/" # version # " is " # stateText(rel.info.state) # ", not submitted"));
    #ok rel;
  };

  public shared ({ caller }) func approve_release(app : Text, version : Text) : async ReleaseResult {
    let rel = switch (auditorsRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    var detail = "";
    if (rel.info.uploader == caller) {
      if (not has(self_audit, caller)) return #err(denied("the uploader of a release cannot approve it"));
      detail := "self-audit waiver: approved by its own uploader";
    };
    transition(caller, rel, #approved, ?caller, null, detail);
  };

  public shared ({ caller }) func reject_release(app : Text, version : Text, reason : Text) : async ReleaseResult {
    switch (V.reason(reason)) { case (?r) return #err(#invalid_argument(r)); case null {} };
    let rel = switch (auditorsRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    transition(caller, rel, #rejected, ?caller, ?reason, reason);
  };

  public shared ({ caller }) func publish_release(app : Text, version : Text) : async ReleaseResult {
    let rel = switch (developersRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    if (rel.info.state != #approved) return wrongState(rel, "approved");
    transition(caller, rel, #released, null, null, "");
  };

  /// The release for the app's developers or an operator.
  func maintainersRelease(caller : Principal, app : Text, version : Text) : { #ok : Types.Release; #err : Error } {
    if (isOperator(caller)) {
      let ?rel = findRelease(app, version) else return #err(#not_found("no release " # app # "/" # version));
      return #ok rel;
    };
    developersRelease(caller, app, version);
  };

  public shared ({ caller }) func deprecate_release(app : Text, version : Text) : async ReleaseResult {
    let rel = switch (maintainersRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    if (rel.info.state != #released) return wrongState(rel, "released");
    transition(caller, rel, #deprecated, null, null, "");
  };

  public shared ({ caller }) func revoke_release(app : Text, version : Text, reason : Text) : async ReleaseResult {
    switch (V.reason(reason)) { case (?r) return #err(#invalid_argument(r)); case null {} };
    let rel = switch (maintainersRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    if (rel.info.state != #released and rel.info.state != #deprecated) return wrongState(rel, "released or deprecated");
    transition(caller, rel, #revoked, null, ?reason, reason);
  };

  func sortedReleases(app : Text) : [Types.Release] {
    let ?m = Map.get(releases, Text.compare, app) else return [];
    Array.sort<Types.Release>(Iter.toArray(Map.values(m)), func(a, b) = versionOrder(a.info.version, b.info.version));
  };

  /// Oldest first.
  public query func list_releases(app : Text) : async [ReleaseInfo] {
    Array.map<Types.Release, ReleaseInfo>(sortedReleases(app), func(r) = releaseOut(r.info));
  };

  public query func get_release(app : Text, version : Text) : async ?ReleaseInfo {
    switch (findRelease(app, version)) { case (?r) ?releaseOut(r.info); case null null };
  };

  // ---- installing releases on canisters ----

  /// Uploads rel's chunks into target's chunk store, installs them with
  /// the IC checking the module's hash, and clears the store. The error
  /// text, or null. While a rollout keeps rel's chunks in the registry's
  /// own chunk store, it installs from there instead: no copy of the
  /// module per canister, two messages fewer.
  func installRelease(target : Principal, rel : Types.Release, mode : Mgmt.InstallMode, owner : Principal) : async ?Text {
    if (inOwnStore(rel)) {
      try {
        await ic.install_chunked_code({
          mode;
          target_canister = target;
          store_canister = ?Principal.fromActor(this);
          chunk_hashes_list = Array.map<Blob, { hash : Blob }>(rel.chunk_hashes, func(h) = { hash = h });
          wasm_module_hash = rel.info.sha256;
          arg = to_candid ({ owner });
        });
        return null;
      } catch (e) { return ?Error.message(e) };
    };
    var failure : ?Text = null;
    try {
      for (chunk in rel.chunks.vals()) {
        let ?bytes = chunk else return ?"a chunk of the release is missing";
        ignore await ic.upload_chunk({ canister_id = target; chunk = bytes });
      };
      await ic.install_chunked_code({
        mode;
        target_canister = target;
        store_canister = null;
        chunk_hashes_list = Array.map<Blob, { hash : Blob }>(rel.chunk_hashes, func(h) = { hash = h });
        wasm_module_hash = rel.info.sha256;
        arg = to_candid ({ owner });
      });
    } catch (e) {
      failure := ?Error.message(e);
    };
    try { await ic.clear_chunk_store({ canister_id = target }) } catch (_) {};
    failure;
  };

  func upgradeMode(rel : Types.Release) : Mgmt.InstallMode {
    #upgrade(?{ skip_pre_upgrade = null; wasm_memory_persistence = if (rel.info.enhanced_persistence) ?#keep else null });
  };

  // ---- installs ----

  func isInstallable(r : Types.Release) : Bool = r.info.state == #released or r.info.state == #deprecated;

  func pickRelease(app : Text, version : ?Text) : { #ok : Types.Release; #err : Error } {
    if (not Map.containsKey(apps, Text.compare, app)) return #err(#not_found("no app " # app));
    switch version {
      case (?v) {
        let ?rel = findRelease(app, v) else return #err(#not_found("no release " # app # "/" # v));
        if (not isInstallable(rel)) return #err(#failed_precondition(app # "/" # v # " is " # stateText(rel.info.state) # ", not installable"));
        #ok rel;
      };
      case null {
        let newest = Array.filter<Types.Release>(sortedReleases(app), func(r) = r.info.state == #released);
        if (newest.size() == 0) return #err(#not_found(app # " has no released version"));
        #ok(newest[newest.size() - 1]);
      };
    };
  };

  func ownedBy(owner : Principal) : [Principal] {
    switch (Map.get(owned, Principal.compare, owner)) { case (?ids) ids; case null [] };
  };

  func pendingOf(p : Principal) : Nat {
    switch (Map.get(pending, Principal.compare, p)) { case (?n) n; case null 0 };
  };

  func setPending(p : Principal, n : Nat) {
    if (n == 0) Map.remove(pending, Principal.compare, p) else Map.add(pending, Principal.compare, p, n);
  };

  func quotaError(limit : Text, message : Text, retry : Nat64) : Error {
    #quota_exceeded({ limit; message; retry_after_seconds = retry });
  };

  /// The first quota a new canister of caller's would exceed, or null.
  func checkQuotas(caller : Principal, now : Int) : ?Error {
    let live = ownedBy(caller).size() + pendingOf(caller);
    if (live >= quotas.canisters_per_user) {
      return ?quotaError("canisters_per_user", "you have " # Nat.toText(live) # " canisters, the most a user may have; delete one first", 0);
    };
    let day = Quota.recent(switch (Map.get(user_creations, Principal.compare, caller)) { case (?t) t; case null [] }, now, Quota.DAY);
    if (day.size() >= quotas.creations_per_user_day) {
      return ?quotaError("creations_per_day", "you created " # Nat.toText(day.size()) # " canisters in the last 24 hours, the most a user may", Quota.retryAfter(day, now, Quota.DAY));
    };
    let hour = Quota.recent(hour_creations, now, Quota.HOUR);
    if (hour.size() >= quotas.creations_per_hour) {
      return ?quotaError("creations_per_hour", "the registry created " # Nat.toText(hour.size()) # " canisters in the last hour, the most it creates", Quota.retryAfter(hour, now, Quota.HOUR));
    };
    if (Cycles.balance() < quotas.cycles_per_canister + CYCLES_RESERVE) {
      return ?quotaError("registry_cycles", "the registry has too few cycles to create a canister", 0);
    };
    null;
  };

  /// Counts a creation against the windows before it is awaited, so that
  /// concurrent installs cannot pass the quota together.
  func countCreation(caller : Principal, now : Int) {
    let day = Quota.recent(switch (Map.get(user_creations, Principal.compare, caller)) { case (?t) t; case null [] }, now, Quota.DAY);
    Map.add(user_creations, Principal.compare, caller, Array.concat(day, [now]));
    hour_creations := Array.concat(Quota.recent(hour_creations, now, Quota.HOUR), [now]);
  };

  /// Creates a canister for the caller ([caller, registry] its controllers),
  /// paid from the registry's cycles, and installs the release with the
  /// caller as owner.
  public shared ({ caller }) func install(app : Text, version : ?Text) : async InstallResult {
    if (Principal.isAnonymous(caller)) return #err(denied("sign in: the anonymous principal cannot own canisters"));
    let rel = switch (pickRelease(app, version)) { case (#err e) return #err e; case (#ok r) r };
    let now = Time.now();
    switch (checkQuotas(caller, now)) { case (?e) return #err e; case null {} };
    countCreation(caller, now);
    setPending(caller, pendingOf(caller) + 1);
    let self = Principal.fromActor(this);
    let id = try {
      cycles_given += quotas.cycles_per_canister;
      (await (with cycles = quotas.cycles_per_canister) ic.create_canister({ settings = ?{ controllers = ?[caller, self] } })).canister_id;
    } catch (e) {
      setPending(caller, pendingOf(caller) - 1);
      return #err(#internal("create_canister failed: " # Error.message(e)));
    };
    if (not inOwnStore(rel)) await keepInOwnStore(rel);
    let failure = await installRelease(id, rel, #install, caller);
    setPending(caller, pendingOf(caller) - 1);
    switch failure {
      case (?reason) {
        // Nothing useful is left: delete the canister rather than leave an
        // empty one (only a stopped canister can be deleted); if that
        // fails too, its owner finds it uninstalled and may delete it.
        try {
          await ic.stop_canister({ canister_id = id });
          await ic.delete_canister({ canister_id = id });
        } catch (_) {
          ignore addCanister(caller, id, app, "", #uninstalled, now);
        };
        log(caller, canisterSubject(id), "install_failed", app # "/" # rel.info.version # ": " # reason);
        return #err(#internal("installing " # app # "/" # rel.info.version # " failed: " # reason));
      };
      case null {};
    };
    let info = addCanister(caller, id, app, rel.info.version, #installed, Time.now());
    log(caller, canisterSubject(id), "installed", app # "/" # rel.info.version);
    #ok info;
  };

  func addCanister(owner : Principal, id : Principal, app : Text, version : Text, state : CanisterState, now : Int) : CanisterInfo {
    let info : Types.StoredCanisterInfo = {
      canister_id = id;
      app;
      version;
      owner;
      state;
      controlled = true;
      last_upgrade = null;
      created_at = now;
      updated_at = now;
    };
    Map.add(canisters, Principal.compare, id, { var info; var snapshot = (null : ?Blob) });
    Map.add(owned, Principal.compare, owner, Array.concat(ownedBy(owner), [id]));
    Map.add(ever_owner, Text.compare, canisterSubject(id), owner);
    canisterOut(info);
  };

  func removeCanister(c : Types.Canister) {
    let id = c.info.canister_id;
    Map.remove(canisters, Principal.compare, id);
    let rest = Array.filter<Principal>(ownedBy(c.info.owner), func(x) = x != id);
    if (rest.size() == 0) Map.remove(owned, Principal.compare, c.info.owner) else Map.add(owned, Principal.compare, c.info.owner, rest);
  };

  public shared query ({ caller }) func my_canisters() : async [CanisterInfo] {
    Array.filterMap<Principal, CanisterInfo>(ownedBy(caller), func(id) = switch (Map.get(canisters, Principal.compare, id)) { case (?c) ?canisterOut(c.info); case null null });
  };

  public shared query ({ caller }) func get_canister(id : Principal) : async ?CanisterInfo {
    let ?c = Map.get(canisters, Principal.compare, id) else return null;
    if (c.info.owner != caller and not isOperator(caller)) return null;
    ?canisterOut(c.info);
  };

  /// The caller's canister id, ready for a change: registry-controlled,
  /// not upgrading, and nothing else under way on it.
  func ownCanister(caller : Principal, id : Principal) : { #ok : Types.Canister; #err : Error } {
    let ?c = Map.get(canisters, Principal.compare, id) else return #err(#not_found("the registry has no canister " # pText(id)));
    if (c.info.owner != caller) return #err(denied("canister " # pText(id) # " is not yours"));
    if (c.info.state == #upgrading) return #err(#failed_precondition("canister " # pText(id) # " is upgrading"));
    if (has(busy, id)) return #err(#failed_precondition("another change of canister " # pText(id) # " is under way"));
    #ok c;
  };

  func controlledCanister(caller : Principal, id : Principal) : { #ok : Types.Canister; #err : Error } {
    switch (ownCanister(caller, id)) {
      case (#ok c) {
        if (not c.info.controlled) return #err(#failed_precondition("the registry no longer controls canister " # pText(id)));
        #ok c;
      };
      case e e;
    };
  };

  // ---- upgrades ----

  /// The versions the canister may upgrade to: installable, newer, and
  /// admitting its version in upgrade_from.
  func allowedUpgrades(c : Types.Canister) : [Text] {
    Array.filterMap<Types.Release, Text>(
      sortedReleases(c.info.app),
      func(r) = if (isInstallable(r) and versionOrder(r.info.version, c.info.version) == #greater and Semver.admitsText(r.info.upgrade_from, c.info.version)) ?r.info.version else null,
    );
  };

  /// The released versions the caller's canister may upgrade to, oldest
  /// first: what to offer its owner. `upgrade` also accepts deprecated
  /// ones (a refused upgrade names those too). Owner or operator; others
  /// get [] (as get_canister's null).
  public shared query ({ caller }) func upgrade_targets(id : Principal) : async [Text] {
    let ?c = Map.get(canisters, Principal.compare, id) else return [];
    if (c.info.owner != caller and not isOperator(caller)) return [];
    if (c.info.state == #uninstalled) return [];
    Array.filter<Text>(allowedUpgrades(c), func(v) = switch (findRelease(c.info.app, v)) {
      case (?r) r.info.state == #released;
      case null false;
    });
  };

  func pathError(c : Types.Canister, requested : Text, message : Text) : UpgradeResult {
    #err(#upgrade_path({ installed = c.info.version; requested; allowed = allowedUpgrades(c); message }));
  };

  /// Starts upgrading the caller's canister to version and returns at once
  /// (state queued); the steps run in messages of their own.
  public shared ({ caller }) func upgrade(id : Principal, version : Text) : async UpgradeResult {
    let c = switch (controlledCanister(caller, id)) { case (#err e) return #err e; case (#ok c) c };
    if (c.info.state == #uninstalled) return #err(#failed_precondition("canister " # pText(id) # " has no code to upgrade"));
    let app = c.info.app;
    let ?rel = findRelease(app, version) else return #err(#not_found("no release " # app # "/" # version));
    switch (rel.info.state) {
      case (#released or #deprecated) {};
      case (#revoked) return #err(#failed_precondition(app # "/" # version # " is revoked" # (switch (rel.info.reason) { case (?r) ": " # r; case null "" })));
      case (s) return #err(#failed_precondition(app # "/" # version # " is " # stateText(s) # ", not released"));
    };
    if (versionOrder(version, c.info.version) != #greater) {
      return pathError(c, version, version # " is not newer than the installed " # c.info.version);
    };
    if (not Semver.admitsText(rel.info.upgrade_from, c.info.version)) {
      return pathError(c, version, app # "/" # version # " upgrades only from " # debug_show rel.info.upgrade_from # ", which excludes " # c.info.version);
    };
    let u = beginUpgrade(caller, c, version);
    ignore runUpgrade(u, c, rel);
    #ok(u.info);
  };

  /// Records a queued upgrade of c to version (caller: who asked, the
  /// owner or a rollout's operator) and marks c upgrading; runUpgrade
  /// does the rest.
  func beginUpgrade(caller : Principal, c : Types.Canister, version : Text) : Types.Upgrade {
    let id = c.info.canister_id;
    let uid = next_upgrade;
    next_upgrade += 1;
    let now = Time.now();
    let u : Types.Upgrade = {
      var info = {
        id = uid;
        canister_id = id;
        owner = c.info.owner;
        from_version = c.info.version;
        to_version = version;
        state = #queued;
        reason = null;
        steps = [{ at = now; state = #queued; message = c.info.version # " → " # version }];
        started_at = now;
        finished_at = null;
      };
    };
    Map.add(upgrades, Nat.compare, uid, u);
    c.info := { c.info with state = #upgrading; last_upgrade = ?uid; updated_at = now };
    log(caller, canisterSubject(id), "upgrade_started", "upgrade " # Nat.toText(uid) # ": " # c.info.version # " → " # version);
    u;
  };

  func step(u : Types.Upgrade, state : UpgradeState, message : Text) {
    u.info := { u.info with state; steps = Array.concat(u.info.steps, [{ at = Time.now(); state; message }]) };
  };

  func finish<system>(u : Types.Upgrade, c : Types.Canister, state : UpgradeState, reason : ?Text, message : Text) {
    step(u, state, message);
    let now = Time.now();
    u.info := { u.info with reason; finished_at = ?now };
    let version = if (state == #done) u.info.to_version else c.info.version;
    c.info := { c.info with state = #installed; version; updated_at = now };
    let action = switch state { case (#done) "upgraded"; case (#rolled_back) "upgrade_rolled_back"; case _ "upgrade_failed" };
    let why = switch reason { case (?r) ": " # r; case null "" };
    log(u.info.owner, canisterSubject(c.info.canister_id), action, "upgrade " # Nat.toText(u.info.id) # why);
    rolloutUpgradeFinished<system>(u.info.id);
  };

  /// A failure before anything changed: start the canister again (it may
  /// have stopped) and record the upgrade as failed.
  func abandon(u : Types.Upgrade, c : Types.Canister, reason : Text) : async () {
    try { await ic.start_canister({ canister_id = c.info.canister_id }) } catch (_) {};
    finish<system>(u, c, #failed, ?reason, "nothing changed: " # reason);
  };

  /// stop → snapshot → install (upgrade) → start → health check; any
  /// failure after the snapshot rolls back to it.
  func runUpgrade(u : Types.Upgrade, c : Types.Canister, rel : Types.Release) : async () {
    let id = c.info.canister_id;
    step(u, #stopping, "stop_canister");
    try { await ic.stop_canister({ canister_id = id }) } catch (e) {
      return await abandon(u, c, "stop_canister: " # Error.message(e));
    };
    step(u, #snapshotting, "take_canister_snapshot");
    let snapshot = try {
      await ic.take_canister_snapshot({ canister_id = id; replace_snapshot = c.snapshot });
    } catch (first) {
      // The previous snapshot may be gone (its controller, the owner, may delete it).
      if (c.snapshot == null) return await abandon(u, c, "take_canister_snapshot: " # Error.message(first));
      try { await ic.take_canister_snapshot({ canister_id = id; replace_snapshot = null }) } catch (e) {
        return await abandon(u, c, "take_canister_snapshot: " # Error.message(e));
      };
    };
    c.snapshot := ?snapshot.id;
    switch (await fundUpgrade(c, rel)) { case (?reason) return await rollBack(u, c, snapshot.id, reason); case null {} };
    step(u, #installing, "install_chunked_code " # rel.info.app # "/" # rel.info.version);
    switch (await installRelease(id, rel, upgradeMode(rel), c.info.owner)) {
      case (?reason) return await rollBack(u, c, snapshot.id, "install_chunked_code: " # reason);
      case null {};
    };
    step(u, #starting, "start_canister");
    try { await ic.start_canister({ canister_id = id }) } catch (e) {
      return await rollBack(u, c, snapshot.id, "start_canister: " # Error.message(e));
    };
    let method = rel.info.health_method;
    step(u, #checking, method # "() must answer " # debug_show rel.info.protocol);
    let reply = try { await IC.call(id, method, to_candid (())) } catch (e) {
      return await rollBack(u, c, snapshot.id, "health check " # method # "(): " # Error.message(e));
    };
    let answer : ?Text = from_candid (reply);
    switch answer {
      case (?text) {
        if (text != rel.info.protocol) {
          return await rollBack(u, c, snapshot.id, "health check " # method # "() answered " # debug_show text # ", not " # debug_show rel.info.protocol);
        };
      };
      case null return await rollBack(u, c, snapshot.id, "health check " # method # "() did not answer a text");
    };
    finish<system>(u, c, #done, null, "healthy: " # rel.info.app # "/" # rel.info.version);
  };

  /// stop → load the snapshot → start: the canister serves its old
  /// version with its old data.
  func rollBack(u : Types.Upgrade, c : Types.Canister, snapshot : Blob, reason : Text) : async () {
    let id = c.info.canister_id;
    step(u, #stopping, "rolling back: " # reason);
    try {
      await ic.stop_canister({ canister_id = id });
      step(u, #snapshotting, "load_canister_snapshot");
      await ic.load_canister_snapshot({ canister_id = id; snapshot_id = snapshot });
      step(u, #starting, "start_canister");
      await ic.start_canister({ canister_id = id });
    } catch (e) {
      finish<system>(u, c, #failed, ?(reason # "; the rollback failed too: " # Error.message(e)), "rollback failed");
      return;
    };
    finish<system>(u, c, #rolled_back, ?reason, "rolled back to " # c.info.version);
  };

  public shared query ({ caller }) func get_upgrade(id : Nat) : async ?UpgradeInfo {
    let ?u = Map.get(upgrades, Nat.compare, id) else return null;
    if (u.info.owner != caller and not isOperator(caller)) return null;
    ?u.info;
  };

  // ---- policies and rollouts ----

  let rollouts = Map.empty<Nat, Types.Rollout>();
  var next_rollout : Nat = 1;
  /// The one-shot timer that drives live rollouts; timers do not survive
  /// an upgrade of the registry, postupgrade arms it again.
  transient var rollout_timer : ?Timer.TimerId = null;
  /// rollout_timer is due in the next round.
  transient var rollout_timer_soon = false;
  /// Upgrades under way that rollouts started (finish tells their rollout).
  let rollout_upgrades = Set.empty<Nat>();
  transient let ROLLOUT_TICK_SECONDS = 1;

  /// Hashes of the chunks in the registry's own chunk store: releases
  /// installed or rolled out, which installRelease installs from there
  /// (no copy of the module per canister, which would also grow the
  /// registry's heap by the module's size with each install).
  let own_store = Set.empty<Blob>();
  /// Chunks upload_chunk left in the store after hashing them.
  var stray_chunks : Nat = 0;
  /// The store holds at most 100 chunks; a sweep empties it well before.
  transient let STORE_SWEEP = 60;

  /// Policies other than #manual, and release channels by
  /// "release:APP/VERSION": beside the stored canister and release
  /// records, whose shapes the registry's upgrades keep.
  let policies = Map.empty<Principal, UpgradePolicy>();
  let release_channels = Map.empty<Text, [Text]>();

  func policyOf(id : Principal) : UpgradePolicy {
    switch (Map.get(policies, Principal.compare, id)) { case (?p) p; case null #manual };
  };

  func channelsOf(app : Text, version : Text) : [Text] {
    switch (Map.get(release_channels, Text.compare, releaseSubject(app, version))) { case (?c) c; case null [] };
  };

  func canisterOut(i : Types.StoredCanisterInfo) : CanisterInfo = { i with policy = policyOf(i.canister_id) };

  func releaseOut(i : Types.StoredReleaseInfo) : ReleaseInfo = { i with channels = channelsOf(i.app, i.version) };

  func rolloutSubject(id : Nat) : Text = "rollout:" # Nat.toText(id);

  func inOwnStore(rel : Types.Release) : Bool {
    Array.all<Blob>(rel.chunk_hashes, func(h) = Set.contains(own_store, Blob.compare, h));
  };

  /// While a rollout is live its chunks stay in the store (a hashing
  /// upload_chunk does not sweep it).
  func rolloutsLive() : Bool = Iter.any<Types.Rollout>(Map.values(rollouts), isLive);

  /// Puts rel's chunks into the registry's own chunk store. A failure
  /// (e.g. a full store) only means upgrades upload the module each.
  func keepInOwnStore(rel : Types.Release) : async () {
    let self = Principal.fromActor(this);
    for (i in rel.chunk_hashes.keys()) {
      let hash = rel.chunk_hashes[i];
      switch (rel.chunks[i]) {
        case (?bytes) if (not Set.contains(own_store, Blob.compare, hash)) {
          try {
            let stored = await ic.upload_chunk({ canister_id = self; chunk = bytes });
            if (stored.hash == hash) Set.add(own_store, Blob.compare, hash);
          } catch (_) {};
        };
        case null {};
      };
    };
  };


  /// The owner sets how rollouts may upgrade their canister.
  public shared ({ caller }) func set_policy(id : Principal, policy : UpgradePolicy) : async UnitResult {
    switch (Policy.policyError(policy)) { case (?r) return #err(#invalid_argument(r)); case null {} };
    let c = switch (controlledCanister(caller, id)) { case (#err e) return #err e; case (#ok c) c };
    if (policy == #manual) Map.remove(policies, Principal.compare, id) else Map.add(policies, Principal.compare, id, policy);
    c.info := { c.info with updated_at = Time.now() };
    log(caller, canisterSubject(id), "policy_set", Policy.text(policy));
    #ok;
  };

  /// The channels a release is in (replacing the previous ones): its
  /// app's developers and operators.
  public shared ({ caller }) func set_release_channels(app : Text, version : Text, channels : [Text]) : async ReleaseResult {
    switch (Policy.channelsError(channels)) { case (?r) return #err(#invalid_argument(r)); case null {} };
    let rel = switch (maintainersRelease(caller, app, version)) { case (#err e) return #err e; case (#ok r) r };
    let unique = Policy.dedupe(channels);
    Map.add(release_channels, Text.compare, releaseSubject(app, version), unique);
    rel.info := { rel.info with updated_at = Time.now() };
    log(caller, releaseSubject(app, version), "channels_set", Text.join(unique.vals(), ", "));
    #ok(releaseOut(rel.info));
  };

  /// What a rollout of rel may do with c now: upgrade it, count it as
  /// told only (its owner is on #manual), or leave it.
  func admission(c : Types.Canister, rel : Types.Release) : { #admit; #manual; #no } {
    let i = c.info;
    if (i.app != rel.info.app or i.state != #installed or not i.controlled or has(busy, i.canister_id)) return #no;
    if (rel.info.state != #released) return #no;
    if (versionOrder(rel.info.version, i.version) != #greater or not Semver.admitsText(rel.info.upgrade_from, i.version)) return #no;
    let policy = policyOf(i.canister_id);
    if (Policy.admits(policy, i.version, rel.info.version, channelsOf(rel.info.app, rel.info.version))) return #admit;
    if (policy == #manual) #manual else #no;
  };

  func liveRollout(app : Text) : ?Types.Rollout {
    for (r in Map.values(rollouts)) {
      if (r.info.app == app and not Rollout.isFinal(r.info.state)) return ?r;
    };
    null;
  };

  /// Operators start a rollout of a released version to the app's
  /// canisters whose policy admits it; the timer runs its batches.
  public shared ({ caller }) func start_rollout(n : NewRollout) : async RolloutResult {
    if (not isOperator(caller)) return #err(denied("only operators start rollouts"));
    switch (V.first([V.appId(n.app), Rollout.checkNew(n)])) { case (?r) return #err(#invalid_argument(r)); case null {} };
    let ?rel = findRelease(n.app, n.version) else return #err(#not_found("no release " # n.app # "/" # n.version));
    if (rel.info.state != #released) return wrongRollout(n.app # "/" # n.version # " is " # stateText(rel.info.state) # ", not released");
    switch (liveRollout(n.app)) {
      case (?r) return wrongRollout("rollout " # Nat.toText(r.info.id) # " of " # n.app # " is " # Rollout.stateText(r.info.state) # "; abort it first");
      case null {};
    };
    let targets = List.empty<Principal>();
    var manual = 0;
    for (c in Map.values(canisters)) {
      switch (admission(c, rel)) {
        case (#admit) List.add(targets, c.info.canister_id);
        case (#manual) manual += 1;
        case (#no) {};
      };
    };
    let id = next_rollout;
    next_rollout += 1;
    let now = Time.now();
    let total = List.size(targets);
    let r : Types.Rollout = {
      var info = {
        id;
        app = n.app;
        version = n.version;
        canary_percent = n.canary_percent;
        batch_size = n.batch_size;
        max_failures = n.max_failures;
        state = if (Rollout.canarySize(total, n.canary_percent) > 0) #canary else #running;
        reason = null;
        started_by = caller;
        started_at = now;
        updated_at = now;
        finished_at = null;
        total;
        pending = total;
        in_progress = 0;
        done = 0;
        rolled_back = 0;
        failed = 0;
        skipped = 0;
        manual;
        batches = 0;
        failures = [];
      };
      targets = List.toArray(targets);
      var cursor = 0;
      var attempted = 0;
      var inflight = [];
      var resume_to = #running;
    };
    Map.add(rollouts, Nat.compare, id, r);
    log(caller, rolloutSubject(id), "rollout_started", n.app # "/" # n.version # ": " # Nat.toText(total) # " canisters, " # Nat.toText(manual) # " on manual");
    if (total > 0) await keepInOwnStore(rel);
    await* advance(r);
    armRolloutTimer<system>();
    #ok(r.info);
  };

  func wrongRollout(message : Text) : RolloutResult = #err(#failed_precondition(message));

  /// Counts the upgrades of r's batch that have an outcome and drops them
  /// from inflight.
  func harvest(r : Types.Rollout) {
    let still = List.empty<(Principal, Nat)>();
    for ((cid, uid) in r.inflight.vals()) {
      let outcome = switch (Map.get(upgrades, Nat.compare, uid)) {
        case (?u) if (u.info.state == #done or u.info.state == #rolled_back or u.info.state == #failed) ?(u.info.state, u.info.reason) else null;
        case null ?(#failed, ?"the upgrade record is gone");
      };
      switch outcome {
        case null List.add(still, (cid, uid));
        case (?(#done, _)) r.info := { r.info with done = r.info.done + 1 };
        case (?(state, reason)) {
          let why = switch reason { case (?t) t; case null "" };
          let failures = Rollout.keepFailure(r.info.failures, { canister_id = cid; state; reason = why });
          r.info := if (state == #rolled_back) ({ r.info with rolled_back = r.info.rolled_back + 1; failures }) else ({ r.info with failed = r.info.failed + 1; failures });
        };
      };
    };
    r.inflight := List.toArray(still);
  };

  func refresh(r : Types.Rollout) {
    r.info := { r.info with pending = r.targets.size() - r.cursor; in_progress = r.inflight.size(); updated_at = Time.now() };
  };

  func endRollout(r : Types.Rollout, state : RolloutState, reason : ?Text, caller : Principal) {
    r.info := { r.info with state; reason; finished_at = ?Time.now() };
    refresh(r);
    let why = switch reason { case (?t) ": " # t; case null "" };
    log(caller, rolloutSubject(r.info.id), "rollout_" # Rollout.stateText(state), Nat.toText(r.info.done) # " of " # Nat.toText(r.info.total) # " upgraded" # why);
  };

  /// Moves r on: counts finished upgrades; once its batch is over, halts
  /// it when the failures exceed its limit, finishes it when no target is
  /// left, or starts the next batch (unless paused, halted or aborted).
  func advance(r : Types.Rollout) : async* () {
    loop {
      harvest(r);
      let state = r.info.state;
      if (r.inflight.size() > 0 or Rollout.isFinal(state)) return refresh(r);
      if (r.info.batches > 0) {
        switch (Rollout.exceeded(r.info.max_failures, r.info.rolled_back + r.info.failed, r.attempted)) {
          case (?reason) return endRollout(r, #halted, ?reason, r.info.started_by);
          case null {};
        };
      };
      if (state == #paused) return refresh(r);
      if (r.cursor >= r.targets.size()) return endRollout(r, #done, null, r.info.started_by);
      await* startBatch(r);
    };
  };

  /// Starts the next batch: the canary first, then batch_size at a time.
  /// A target that is no longer eligible is skipped.
  func startBatch(r : Types.Rollout) : async* () {
    let size = if (r.info.state == #canary and r.info.batches == 0) {
      Rollout.canarySize(r.targets.size(), r.info.canary_percent);
    } else {
      if (r.info.state == #canary) r.info := { r.info with state = #running };
      r.info.batch_size;
    };
    let rel = findRelease(r.info.app, r.info.version);
    let last = Nat.min(r.targets.size(), r.cursor + size);
    let started = List.empty<(Principal, Nat)>();
    var skipped = 0;
    while (r.cursor < last) {
      let id = r.targets[r.cursor];
      r.cursor += 1;
      switch (Map.get(canisters, Principal.compare, id), rel) {
        case (?c, ?release) {
          if (admission(c, release) == #admit) {
            let u = beginUpgrade(r.info.started_by, c, release.info.version);
            List.add(started, (id, u.info.id));
            Set.add(rollout_upgrades, Nat.compare, u.info.id);
            ignore runUpgrade(u, c, release);
          } else skipped += 1;
        };
        case _ skipped += 1;
      };
    };
    r.attempted += List.size(started);
    r.inflight := Array.concat(r.inflight, List.toArray(started));
    r.info := { r.info with batches = r.info.batches + 1; skipped = r.info.skipped + skipped };
    refresh(r);
  };

  /// A rollout's upgrade ended: the timer moves its rollout on in the
  /// next round (one timer message for all the upgrades that end by then,
  /// rather than a message of each).
  func rolloutUpgradeFinished<system>(uid : Nat) {
    if (not Set.contains(rollout_upgrades, Nat.compare, uid)) return;
    Set.remove(rollout_upgrades, Nat.compare, uid);
    if (rollout_timer_soon) return;
    switch rollout_timer { case (?t) Timer.cancelTimer(t); case null {} };
    rollout_timer := ?Timer.setTimer<system>(#nanoseconds 0, rolloutTick);
    rollout_timer_soon := true;
  };

  func isLive(r : Types.Rollout) : Bool = not Rollout.isFinal(r.info.state) or r.inflight.size() > 0;

  func armRolloutTimer<system>() {
    if (rollout_timer != null) return;
    if (not rolloutsLive()) return;
    rollout_timer := ?Timer.setTimer<system>(#seconds ROLLOUT_TICK_SECONDS, rolloutTick);
  };

  /// Advances every live rollout: what moves a rollout on when no upgrade
  /// of it finishes (after a pause, or when a continuation was lost).
  func rolloutTick() : async () {
    rollout_timer := null;
    rollout_timer_soon := false;
    for (r in Map.values(rollouts)) {
      if (isLive(r)) await* advance(r);
    };
    armRolloutTimer<system>();
  };

  system func postupgrade() {
    armRolloutTimer<system>();
  };

  func operatorsRollout(caller : Principal, id : Nat) : { #ok : Types.Rollout; #err : Error } {
    if (not isOperator(caller)) return #err(denied("only operators manage rollouts"));
    let ?r = Map.get(rollouts, Nat.compare, id) else return #err(#not_found("no rollout " # Nat.toText(id)));
    #ok r;
  };

  /// No new batch starts; the batch under way finishes.
  public shared ({ caller }) func pause_rollout(id : Nat) : async RolloutResult {
    let r = switch (operatorsRollout(caller, id)) { case (#err e) return #err e; case (#ok r) r };
    let state = r.info.state;
    if (state != #canary and state != #running) return wrongRollout("rollout " # Nat.toText(id) # " is " # Rollout.stateText(state) # ", not canary or running");
    r.resume_to := state;
    r.info := { r.info with state = #paused };
    refresh(r);
    log(caller, rolloutSubject(id), "rollout_paused", "");
    #ok(r.info);
  };

  public shared ({ caller }) func resume_rollout(id : Nat) : async RolloutResult {
    let r = switch (operatorsRollout(caller, id)) { case (#err e) return #err e; case (#ok r) r };
    if (r.info.state != #paused) return wrongRollout("rollout " # Nat.toText(id) # " is " # Rollout.stateText(r.info.state) # ", not paused");
    r.info := { r.info with state = r.resume_to };
    log(caller, rolloutSubject(id), "rollout_resumed", "");
    await* advance(r);
    armRolloutTimer<system>();
    #ok(r.info);
  };

  /// No new upgrade starts; the ones under way finish (and are counted).
  public shared ({ caller }) func abort_rollout(id : Nat) : async RolloutResult {
    let r = switch (operatorsRollout(caller, id)) { case (#err e) return #err e; case (#ok r) r };
    if (Rollout.isFinal(r.info.state)) return wrongRollout("rollout " # Nat.toText(id) # " is already " # Rollout.stateText(r.info.state));
    endRollout(r, #aborted, ?("aborted by " # pText(caller)), caller);
    #ok(r.info);
  };

  /// Operators; anyone else gets null.
  public shared query ({ caller }) func get_rollout(id : Nat) : async ?RolloutInfo {
    if (not isOperator(caller)) return null;
    switch (Map.get(rollouts, Nat.compare, id)) { case (?r) ?r.info; case null null };
  };

  /// Newest first, only app's when given. Operators; anyone else gets [].
  /// The newest MAX_ROLLOUT_PAGE rollouts (of app, if given), newest
  /// first: a bounded answer however many rollouts the registry has run.
  public shared query ({ caller }) func list_rollouts(app : ?Text) : async [RolloutInfo] {
    if (not isOperator(caller)) return [];
    let out = List.empty<RolloutInfo>();
    label newest for ((_, r) in Map.reverseEntries(rollouts)) {
      if (List.size(out) >= MAX_ROLLOUT_PAGE) break newest;
      if (app == null or app == ?r.info.app) List.add(out, r.info);
    };
    List.toArray(out);
  };

  // ---- uninstall, delete, release_control ----

  /// Runs change (its failure, or null) on a canister marked busy, so that
  /// no other change starts meanwhile.
  func whileBusy(id : Principal, change : () -> async ?Text) : async ?Text {
    Set.add(busy, Principal.compare, id);
    try { await change() } finally { Set.remove(busy, Principal.compare, id) };
  };

  public shared ({ caller }) func uninstall(id : Principal) : async InstallResult {
    let c = switch (controlledCanister(caller, id)) { case (#err e) return #err e; case (#ok c) c };
    let failure = await whileBusy(id, func() : async ?Text {
      try { await ic.uninstall_code({ canister_id = id }); null } catch (e) { ?Error.message(e) };
    });
    switch failure {
      case (?reason) return #err(#internal("uninstall_code: " # reason));
      case null {};
    };
    c.info := { c.info with state = #uninstalled; version = ""; updated_at = Time.now() };
    log(caller, canisterSubject(id), "uninstalled", c.info.app);
    #ok(canisterOut(c.info));
  };

  /// Stops and deletes the caller's canister and forgets it (its history
  /// stays). A canister the registry no longer controls is only forgotten.
  public shared ({ caller }) func delete(id : Principal) : async UnitResult {
    let c = switch (ownCanister(caller, id)) { case (#err e) return #err e; case (#ok c) c };
    if (c.info.controlled) {
      let failure = await whileBusy(id, func() : async ?Text {
        try {
          await ic.stop_canister({ canister_id = id });
          await ic.delete_canister({ canister_id = id });
          null;
        } catch (e) { ?Error.message(e) };
      });
      switch failure {
        case (?reason) return #err(#internal("deleting canister " # pText(id) # ": " # reason));
        case null {};
      };
    };
    removeCanister(c);
    Map.remove(policies, Principal.compare, id);
    log(caller, canisterSubject(id), if (c.info.controlled) "deleted" else "forgotten", c.info.app # "/" # c.info.version);
    #ok;
  };

  /// The owner leaves the platform: controllers become [owner].
  public shared ({ caller }) func release_control(id : Principal) : async UnitResult {
    let c = switch (controlledCanister(caller, id)) { case (#err e) return #err e; case (#ok c) c };
    let failure = await whileBusy(id, func() : async ?Text {
      try {
        await ic.update_settings({ canister_id = id; settings = { controllers = ?[caller] } });
        null;
      } catch (e) { ?Error.message(e) };
    });
    switch failure {
      case (?reason) return #err(#internal("update_settings: " # reason));
      case null {};
    };
    c.info := { c.info with controlled = false; updated_at = Time.now() };
    log(caller, canisterSubject(id), "control_released", "controllers: " # pText(caller));
    #ok;
  };

  // ---- history and quotas ----

  /// subject's events after seq `after`, at most limit (≤ 100). A
  /// canister's history and an owner's credit ("credit:<principal>") are
  /// its owner's and the operators' only.
  public shared query ({ caller }) func history(subject : Text, after : Nat, limit : Nat) : async [Event] {
    if (Text.encodeUtf8(subject).size() > V.MAX_SUBJECT_BYTES) return [];
    if (Text.startsWith(subject, #text "canister:") and not isOperator(caller)) {
      if (Map.get(ever_owner, Text.compare, subject) != ?caller) return [];
    };
    // An owner's credit is theirs and the operators' to read.
    if (Text.startsWith(subject, #text "credit:") and not isOperator(caller) and subject != "credit:" # pText(caller)) return [];
    let ?positions = Map.get(by_subject, Text.compare, subject) else return [];
    let out = List.empty<Event>();
    let most = Nat.min(limit, V.MAX_HISTORY_PAGE);
    for (p in List.values(positions)) {
      let e = List.at(events, p);
      if (e.seq > after and List.size(out) < most) List.add(out, e);
    };
    List.toArray(out);
  };

  public query func get_quotas() : async Quotas { quotas };

  public shared ({ caller }) func set_quotas(q : Quotas) : async UnitResult {
    if (not isOperator(caller)) return #err(denied("only operators set quotas"));
    if (q.cycles_per_canister < 1_000_000_000_000 / 2) {
      return #err(#invalid_argument("cycles_per_canister must cover the creation fee (at least 500_000_000_000)"));
    };
    quotas := q;
    log(caller, "registry", "quotas_set", debug_show q);
    #ok;
  };

  // ---- cycles and credit ----

  var cycles_settings : Types.CyclesSettings = Fund.DEFAULT_SETTINGS;
  /// app → its operator-set policy (Fund.DEFAULT_POLICY when none)
  let cycles_policies = Map.empty<Text, Types.CyclesPolicy>();
  let canister_cycles = Map.empty<Principal, Types.CanisterCycles>();
  /// owner → cycles credit
  let credits = Map.empty<Principal, Types.Credit>();
  /// Where the next poll starts (round-robin over `canisters`).
  var poll_cursor : ?Principal = null;
  var own_samples : [Fund.OwnSample] = [];
  /// Running totals of cycles the registry sent away (creations, top-ups)
  /// and received (deposit_credit), for its own burn.
  var cycles_given : Nat = 0;
  var cycles_received : Nat = 0;
  var topped_up_total : Nat = 0;
  var top_ups : Nat = 0;
  transient var polling = false;

  func registrySelf() : Principal = Principal.fromActor(this);

  func cyclesPolicyOf(app : Text) : Types.CyclesPolicy {
    switch (Map.get(cycles_policies, Text.compare, app)) { case (?p) p; case null Fund.DEFAULT_POLICY };
  };

  /// The record of a canister never polled.
  func emptyCycles() : Types.CanisterCycles {
    {
      var samples = [] : [Types.CyclesSample];
      var idle_burn_per_day = 0;
      var freezing_threshold = 0;
      var memory_size = 0;
      var out_of_credit = false;
      var unfunded = 0;
      var topped_up_total = 0;
      var last_top_up_at = null : ?Int;
    };
  };

  func cyclesRecord(id : Principal) : Types.CanisterCycles {
    switch (Map.get(canister_cycles, Principal.compare, id)) {
      case (?r) r;
      case null {
        let r = emptyCycles();
        Map.add(canister_cycles, Principal.compare, id, r);
        r;
      };
    };
  };

  func creditOf(owner : Principal) : Types.Credit {
    switch (Map.get(credits, Principal.compare, owner)) {
      case (?c) c;
      case null {
        let c : Types.Credit = { var balance = 0; var charged = 0 };
        Map.add(credits, Principal.compare, owner, c);
        c;
      };
    };
  };

  /// The figures of one record: balance, burn, freezing limit, runway.
  func figures(r : Types.CanisterCycles) : { balance : Nat; burn : Nat; freezing : Nat; runway : ?Nat } {
    let balance = if (r.samples.size() == 0) 0 else r.samples[r.samples.size() - 1].balance;
    let burn = Fund.burnPerDay(r.samples, r.idle_burn_per_day, cycles_settings.poll_interval_seconds * 1_000_000_000);
    let freezing = Fund.freezingLimit(r.idle_burn_per_day, r.freezing_threshold);
    { balance; burn; freezing; runway = if (r.samples.size() == 0) null else Fund.runway(balance, freezing, burn) };
  };

  /// What c's policy wants deposited, capped per top-up (0: nothing).
  func wantedFor(c : Types.Canister, r : Types.CanisterCycles) : Nat {
    wantedFrom(c, r, figures(r));
  };

  /// wantedFor with r's figures already at hand.
  func wantedFrom(c : Types.Canister, r : Types.CanisterCycles, f : { balance : Nat; burn : Nat; freezing : Nat; runway : ?Nat }) : Nat {
    if (r.samples.size() == 0) return 0;
    let p = cyclesPolicyOf(c.info.app);
    Nat.min(Fund.wanted(p, f.balance, f.freezing, f.burn), p.max_top_up);
  };

  func cyclesStatusOf(c : Types.Canister) : CyclesStatus {
    // Not added to the map: a query may ask about a canister never polled.
    let r = switch (Map.get(canister_cycles, Principal.compare, c.info.canister_id)) {
      case (?r) r;
      case null emptyCycles();
    };
    let f = figures(r);
    {
      canister_id = c.info.canister_id;
      app = c.info.app;
      version = c.info.version;
      owner = c.info.owner;
      balance = f.balance;
      burn_per_day = f.burn;
      idle_burn_per_day = r.idle_burn_per_day;
      runway_seconds = f.runway;
      freezing_limit = f.freezing;
      low = wantedFrom(c, r, f) > 0 or r.out_of_credit;
      owner_out_of_credit = r.out_of_credit;
      unfunded = r.unfunded;
      topped_up_total = r.topped_up_total;
      last_top_up_at = r.last_top_up_at;
      checked_at = if (r.samples.size() == 0) null else ?r.samples[r.samples.size() - 1].at;
    };
  };

  func isLow(c : Types.Canister) : Bool {
    switch (Map.get(canister_cycles, Principal.compare, c.info.canister_id)) {
      case (?r) r.out_of_credit or wantedFor(c, r) > 0;
      case null false;
    };
  };

  /// Records a canister_status reading.
  func observe(c : Types.Canister, st : Mgmt.CanisterStatus) : Types.CanisterCycles {
    let r = cyclesRecord(c.info.canister_id);
    r.samples := Fund.addSample(r.samples, { at = Time.now(); balance = st.cycles });
    r.idle_burn_per_day := st.idle_cycles_burned_per_day;
    r.freezing_threshold := st.settings.freezing_threshold;
    r.memory_size := st.memory_size;
    r;
  };

  /// Marks c as lacking `missing` cycles its owner's credit does not
  /// cover; logs the change, not every poll that finds it still so.
  func markOutOfCredit(c : Types.Canister, r : Types.CanisterCycles, missing : Nat, why : Text) {
    r.unfunded := missing;
    if (r.out_of_credit) return;
    r.out_of_credit := true;
    log(registrySelf(), canisterSubject(c.info.canister_id), "out_of_credit", why # ": " # Nat.toText(missing) # " cycles not funded; the owner's credit holds " # Nat.toText(creditOf(c.info.owner).balance));
  };

  func clearOutOfCredit(r : Types.CanisterCycles) {
    r.out_of_credit := false;
    r.unfunded := 0;
  };

  /// Deposits up to want cycles in c from the registry's balance above its
  /// reserve, charged to the owner's credit and never past it. The amount
  /// deposited.
  func topUp(c : Types.Canister, r : Types.CanisterCycles, want : Nat, why : Text) : async { #ok : Nat; #err : Text } {
    let id = c.info.canister_id;
    let credit = creditOf(c.info.owner);
    if (credit.balance < want) markOutOfCredit(c, r, want - credit.balance, why) else clearOutOfCredit(r);
    let own = Cycles.balance();
    let spendable = if (own > cycles_settings.reserve) own - cycles_settings.reserve else 0;
    let amount = Nat.min(want, Nat.min(credit.balance, spendable));
    if (amount == 0) return #ok 0;
    // Charged before the await, so that concurrent top-ups cannot spend it twice.
    credit.balance -= amount;
    credit.charged += amount;
    try {
      await (with cycles = amount) ic.deposit_cycles({ canister_id = id });
    } catch (e) {
      credit.balance += amount;
      credit.charged -= amount;
      return #err("deposit_cycles: " # Error.message(e));
    };
    let now = Time.now();
    r.topped_up_total += amount;
    r.last_top_up_at := ?now;
    r.samples := Fund.creditLast(r.samples, amount);
    topped_up_total += amount;
    top_ups += 1;
    cycles_given += amount;
    log(registrySelf(), canisterSubject(id), "topped_up", Nat.toText(amount) # " cycles (" # why # "), charged to the owner's credit, " # Nat.toText(credit.balance) # " left");
    #ok amount;
  };

  /// The next at most batch_size controlled canisters after the cursor,
  /// wrapping around once.
  func nextBatch() : [Types.Canister] {
    let out = List.empty<Types.Canister>();
    let total = Map.size(canisters);
    let first = switch poll_cursor {
      case (?p) Map.entriesFrom(canisters, Principal.compare, p);
      case null Map.entries(canisters);
    };
    var scanned = 0;
    poll_cursor := null;
    label scan for ((id, c) in Iter.concat(first, Map.entries(canisters))) {
      if (scanned >= total) break scan;
      if (List.size(out) >= cycles_settings.batch_size) {
        poll_cursor := ?id;
        break scan;
      };
      scanned += 1;
      if (c.info.controlled) List.add(out, c);
    };
    List.toArray(out);
  };

  /// One poll: canister_status of a batch (the calls in parallel), then a
  /// top-up of each canister its policy wants funded.
  func pollBatch() : async () {
    own_samples := Fund.addSample(own_samples, { at = Time.now(); balance = Cycles.balance(); given = cycles_given; received = cycles_received });
    let calls = List.empty<(Types.Canister, async Mgmt.CanisterStatus)>();
    for (c in nextBatch().vals()) {
      List.add(calls, (c, ic.canister_status({ canister_id = c.info.canister_id })));
    };
    for ((c, call) in List.values(calls)) {
      try {
        let r = observe(c, await call);
        let want = wantedFor(c, r);
        if (want > 0) {
          switch (await topUp(c, r, want, "policy")) {
            case (#err e) log(registrySelf(), canisterSubject(c.info.canister_id), "top_up_failed", e);
            case (#ok _) {};
          };
        } else if (r.out_of_credit) clearOutOfCredit(r);
      } catch (_) {
        // Gone or no longer ours: the next poll asks again.
      };
    };
  };

  func pollCycles() : async () {
    if (polling) return;
    polling := true;
    try { await pollBatch() } finally { polling := false };
  };

  /// Before an upgrade's install: a canister that could not pay the
  /// install's instruction budget above its freezing limit is topped up
  /// (charged to its owner's credit) instead of failing the install. The
  /// reason it cannot go ahead, or null.
  func fundUpgrade(c : Types.Canister, rel : Types.Release) : async ?Text {
    let id = c.info.canister_id;
    // Without a status the install itself tells what is wrong.
    let st = try { await ic.canister_status({ canister_id = id }) } catch (_) { return null };
    let r = observe(c, st);
    let short = Fund.upgradeShortfall(st.cycles, st.idle_cycles_burned_per_day, st.memory_size, st.settings.freezing_threshold, rel.chunks.size());
    if (short == 0) return null;
    let credit = creditOf(c.info.owner).balance;
    if (credit < short) {
      markOutOfCredit(c, r, short - credit, "upgrade");
      return ?("owner out of credit: the upgrade needs " # Nat.toText(short) # " more cycles than the canister holds, the owner's credit holds " # Nat.toText(credit));
    };
    switch (await topUp(c, r, short, "before upgrade")) {
      case (#err e) ?("top-up before the upgrade: " # e);
      case (#ok n) if (n < short) ?("the registry has too few cycles above its reserve to fund the upgrade") else null;
    };
  };

  func creditInfo(owner : Principal) : CreditInfo {
    let credit = switch (Map.get(credits, Principal.compare, owner)) { case (?c) c; case null ({ var balance = 0; var charged = 0 } : Types.Credit) };
    let mine = Array.filterMap<Principal, Types.Canister>(ownedBy(owner), func(id) = Map.get(canisters, Principal.compare, id));
    let unfunded = Array.filterMap<Types.Canister, CyclesStatus>(mine, func(c) {
      let s = cyclesStatusOf(c);
      if (s.owner_out_of_credit) ?s else null;
    });
    let warnings = List.empty<Text>();
    for (s in unfunded.vals()) {
      List.add(warnings, "canister " # pText(s.canister_id) # " lacks " # Nat.toText(s.unfunded) # " cycles your credit does not cover: grant or deposit credit before it freezes");
    };
    if (credit.balance == 0 and mine.size() > 0) List.add(warnings, "your cycles credit is empty: your canisters are not topped up");
    { owner; balance = credit.balance; charged = credit.charged; warnings = List.toArray(warnings); unfunded };
  };

  public shared ({ caller }) func set_cycles_policy(app : Text, p : CyclesPolicy) : async UnitResult {
    if (not isOperator(caller)) return #err(denied("only operators set cycles policies"));
    if (not Map.containsKey(apps, Text.compare, app)) return #err(#not_found("no app " # app));
    switch (Fund.validatePolicy(p)) { case (?reason) return #err(#invalid_argument(reason)); case null {} };
    Map.add(cycles_policies, Text.compare, app, p);
    log(caller, appSubject(app), "cycles_policy_set", debug_show p);
    #ok;
  };

  public query func get_cycles_policy(app : Text) : async CyclesPolicy { cyclesPolicyOf(app) };

  public shared ({ caller }) func set_cycles_settings(s : CyclesSettings) : async UnitResult {
    if (not isOperator(caller)) return #err(denied("only operators set the cycles settings"));
    switch (Fund.validateSettings(s)) { case (?reason) return #err(#invalid_argument(reason)); case null {} };
    let restart = s.poll_interval_seconds != cycles_settings.poll_interval_seconds;
    cycles_settings := s;
    if (restart) {
      Timer.cancelTimer(poll_timer);
      poll_timer := Timer.recurringTimer<system>(#seconds(s.poll_interval_seconds), pollCycles);
    };
    log(caller, "registry", "cycles_settings_set", debug_show s);
    #ok;
  };

  public query func get_cycles_settings() : async CyclesSettings { cycles_settings };

  /// Owner or operator; others get null (as get_canister).
  public shared query ({ caller }) func cycles_status(id : Principal) : async ?CyclesStatus {
    let ?c = Map.get(canisters, Principal.compare, id) else return null;
    if (c.info.owner != caller and not isOperator(caller)) return null;
    ?cyclesStatusOf(c);
  };

  /// Canisters low on cycles or whose owner is out of credit, shortest
  /// runway first, at most limit (≤ 100). Operators; others get [].
  public shared query ({ caller }) func low_cycles(limit : Nat) : async [CyclesStatus] {
    if (not isOperator(caller)) return [];
    let low = List.empty<CyclesStatus>();
    for (c in Map.values(canisters)) {
      let st = cyclesStatusOf(c);
      if (st.low) List.add(low, st);
    };
    let sorted = Array.sort<CyclesStatus>(List.toArray(low), func(a, b) = switch (a.runway_seconds, b.runway_seconds) {
      case (?x, ?y) Nat.compare(x, y);
      case (null, ?_) #greater;
      case (?_, null) #less;
      case (null, null) #equal;
    });
    let most = Nat.min(limit, Fund.MAX_LOW_PAGE);
    if (sorted.size() <= most) sorted else Array.sliceToArray(sorted, 0, most);
  };

  public shared query ({ caller }) func my_credit() : async CreditInfo { creditInfo(caller) };

  /// Operators credit an owner for cycles paid off-chain.
  public shared ({ caller }) func grant_credit(owner : Principal, amount : Nat) : async CreditResult {
    if (not isOperator(caller)) return #err(denied("only operators grant credit"));
    if (Principal.isAnonymous(owner)) return #err(#invalid_argument("the anonymous principal cannot hold credit"));
    if (amount == 0 or amount > Fund.MAX_CYCLES) return #err(#invalid_argument("amount must be 1 to " # Nat.toText(Fund.MAX_CYCLES) # " cycles"));
    let credit = creditOf(owner);
    credit.balance += amount;
    log(caller, "credit:" # pText(owner), "credit_granted", Nat.toText(amount) # " cycles, balance " # Nat.toText(credit.balance));
    #ok(creditInfo(owner));
  };

  /// Accepts the cycles a canister caller (a wallet) attaches as credit of
  /// owner, or of the caller when none is named.
  public shared ({ caller }) func deposit_credit(owner : ?Principal) : async CreditResult {
    let to = switch owner { case (?o) o; case null caller };
    if (Principal.isAnonymous(to)) return #err(#invalid_argument("the anonymous principal cannot hold credit"));
    let available = Cycles.available();
    if (available == 0) return #err(#invalid_argument("attach the cycles to deposit (a canister call, e.g. from a cycles wallet)"));
    let accepted = Cycles.accept<system>(Nat.min(available, Fund.MAX_CYCLES));
    cycles_received += accepted;
    let credit = creditOf(to);
    credit.balance += accepted;
    log(caller, "credit:" # pText(to), "credit_deposited", Nat.toText(accepted) # " cycles, balance " # Nat.toText(credit.balance));
    #ok(creditInfo(to));
  };

  /// The registry's own cycles; operators (others get null).
  public shared query ({ caller }) func registry_cycles() : async ?RegistryCycles {
    if (not isOperator(caller)) return null;
    let balance = Cycles.balance();
    let burn = Fund.ownBurnPerDay(own_samples);
    var outstanding = 0;
    for (c in Map.values(credits)) outstanding += c.balance;
    ?{
      balance;
      reserve = cycles_settings.reserve;
      burn_per_day = burn;
      runway_seconds = Fund.runway(balance, cycles_settings.reserve, burn);
      credit_outstanding = outstanding;
      topped_up_total;
      top_ups;
    };
  };

  func lowCycleCount() : Nat {
    var n = 0;
    for (c in Map.values(canisters)) { if (isLow(c)) n += 1 };
    n;
  };

  /// Timers do not survive upgrades: this starts the poller on every
  /// install and upgrade.
  transient var poll_timer : Nat = Timer.recurringTimer<system>(#seconds(cycles_settings.poll_interval_seconds), pollCycles);

  // ---- fleet ----

  /// Counts for the gateway's fleet gauges. Public: every figure is an
  /// aggregate (no principal, no canister id), and the apps and releases it
  /// counts are already public through list_apps and list_releases.
  public query func fleet_stats() : async FleetStats {
    {
      canisters = Fleet.canisterCounts(Map.values(canisters));
      upgrades = Fleet.upgradeCounts(Map.values(upgrades));
      releases = Fleet.releaseCounts(Map.values(releases));
      apps = Map.size(apps);
      operators = Set.size(operators);
      developers = Set.size(developers);
      auditors = Set.size(auditors);
      low_cycles = lowCycleCount();
    };
  };
};
