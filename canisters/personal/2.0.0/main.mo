/// personal/2.0.0 — a revisioned document store owned by one principal.
///
/// Breaking change from 1.0.0: the key-value methods are gone; every 1.0.0
/// value becomes a document on upgrade (see Upgrade.mo).
/// Install and upgrade argument: (record { owner : principal }). On upgrade the
/// stored owner is kept and the argument's owner is ignored.
import Error "mo:core/Error";
import Map "mo:core/Map";
import Nat "mo:core/Nat";
import Principal "mo:core/Principal";
import Runtime "mo:core/Runtime";
import Text "mo:core/Text";
import Time "mo:core/Time";

import Documents "Documents";
import Limits "Limits";
import Types "Types";
import Upgrade "Upgrade";

(with migration = Upgrade.migration)
persistent actor class Personal(init : { owner : Principal }) {
  public type Document = Types.Document;
  public type WriteError = Types.WriteError;
  public type PutResult = Types.PutResult;
  public type DeleteResult = Types.DeleteResult;
  public type DocumentPage = Types.DocumentPage;

  // An anonymous owner would make every caller the owner.
  if (Principal.isAnonymous(init.owner)) {
    Runtime.trap(Upgrade.PROTOCOL # ": the owner must not be the anonymous principal");
  };

  let owner : Principal = init.owner;
  let data_version : Nat = Upgrade.DATA_VERSION;
  /// Inherited from 1.0.0 and drained below; empty from then on. Kept so that
  /// 1.0.0 data upgrades implicitly (see Upgrade.mo for why).
  let kv_entries = Map.empty<Text, Blob>();
  let documents : Documents.Store = Map.empty<Text, Document>();

  if (data_version != Upgrade.DATA_VERSION) {
    Runtime.trap(Upgrade.PROTOCOL # ": data_version is " # Nat.toText(data_version) # " after upgrade, expected " # Nat.toText(Upgrade.DATA_VERSION));
  };
  ignore Upgrade.drainV1(kv_entries, documents, Time.now());

  // Ingress update calls from anyone but the owner are refused before they
  // are executed, so strangers cannot make this canister pay for them.
  system func inspect({ caller : Principal }) : Bool {
    caller == owner;
  };

  func notOwner(caller : Principal) : Error {
    Error.reject(Upgrade.PROTOCOL # ": caller " # Principal.toText(caller) # " is not the owner of this canister");
  };

  func invalid(reason : Text) : Error {
    Error.reject(Upgrade.PROTOCOL # ": " # reason);
  };

  /// Protocol identifier, callable by anyone (peers use it to negotiate).
  public query func protocol() : async Text {
    Upgrade.PROTOCOL;
  };

  /// Creates or replaces a document, conditionally on if_revision
  /// (null: always; ?0: only if absent; ?r: only if the stored revision is r).
  public shared ({ caller }) func put_document(key : Text, content : Blob, content_type : Text, if_revision : ?Nat) : async PutResult {
    if (caller != owner) return #err(#unauthorized);
    Documents.put(documents, key, content, content_type, if_revision, Time.now());
  };

  public shared query ({ caller }) func get_document(key : Text) : async ?Document {
    if (caller != owner) throw notOwner(caller);
    Map.get(documents, Text.compare, key);
  };

  /// Documents whose key starts with prefix, ascending by key, after cursor.
  /// page_size must be at least 1 and is capped at 100; a page also ends
  /// early at 1.5 MiB of content. next_cursor is null when nothing is left.
  public shared query ({ caller }) func list_documents(prefix : Text, page_size : Nat, cursor : ?Text) : async DocumentPage {
    if (caller != owner) throw notOwner(caller);
    switch (Limits.checkPrefix(prefix)) { case (?reason) throw invalid(reason); case null {} };
    let ?limit = Limits.pageLimit(page_size) else throw invalid("page_size must be at least 1");
    Documents.page(documents, prefix, limit, cursor);
  };

  /// Deletes a document, conditionally on if_revision as in put_document.
  public shared ({ caller }) func delete_document(key : Text, if_revision : ?Nat) : async DeleteResult {
    if (caller != owner) return #err(#unauthorized);
    Documents.delete(documents, key, if_revision);
  };
};
