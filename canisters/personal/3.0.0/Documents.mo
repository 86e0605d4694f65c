/// The document store of protocol personal/3.0.0: conditional writes and
/// prefix listing over an ordered map. Callers check authorization first.
import Map "mo:core/Map";
import Text "mo:core/Text";
import Types "Types";
import Limits "Limits";
import List "mo:core/List";

module {
  public type Store = Map.Map<Text, Types.Document>;

  /// if_revision semantics: null = unconditional; ?0 = the key must not
  /// exist; ?r = the stored revision must be r.
  public func checkRevision(current : ?Types.Document, ifRevision : ?Nat) : ?Types.WriteError {
    let currentRevision : ?Nat = switch current { case (?doc) ?doc.revision; case null null };
    switch (ifRevision, currentRevision) {
      case (null, _) null;
      case (?0, null) null;
      case (?expected, ?actual) if (expected == actual) null else ?#conflict({ current = currentRevision });
      case (?_, null) ?#conflict({ current = null });
    };
  };

  public func put(store : Store, key : Text, content : Blob, contentType : Text, ifRevision : ?Nat, now : Int) : Types.PutResult {
    for (problem in [Limits.checkKey(key), Limits.checkContent(content), Limits.checkContentType(contentType)].values()) {
      switch problem { case (?reason) return #err(#invalid reason); case null {} };
    };
    let current = Map.get(store, Text.compare, key);
    switch (checkRevision(current, ifRevision)) { case (?error) return #err error; case null {} };
    let revision = switch current { case (?doc) doc.revision + 1; case null 1 };
    let doc : Types.Document = { key; content; content_type = contentType; revision; updated_at = now };
    Map.add(store, Text.compare, key, doc);
    #ok doc;
  };

  public func delete(store : Store, key : Text, ifRevision : ?Nat) : Types.DeleteResult {
    switch (Limits.checkKey(key)) { case (?reason) return #err(#invalid reason); case null {} };
    let current = Map.get(store, Text.compare, key);
    if (current == null) return #err(#not_found);
    switch (checkRevision(current, ifRevision)) { case (?error) return #err error; case null {} };
    Map.remove(store, Text.compare, key);
    #ok;
  };

  /// Documents whose key starts with prefix and sorts after cursor, ascending,
  /// at most limit of them and at most Limits.PAGE_BYTE_BUDGET content bytes
  /// (but always at least one).
  public func page(store : Store, prefix : Text, limit : Nat, cursor : ?Text) : Types.DocumentPage {
    // Keys sharing a prefix are contiguous in key order and start at the
    // prefix itself, so the scan starts at max(prefix, cursor).
    let start = switch cursor { case (?c) if (c > prefix) c else prefix; case null prefix };
    let documents = List.empty<Types.Document>();
    var bytes = 0;
    var lastKey = "";
    for ((key, doc) in Map.entriesFrom(store, Text.compare, start)) {
      if (not Text.startsWith(key, #text prefix)) {
        return { documents = List.toArray(documents); next_cursor = null };
      };
      if (?key != cursor) {
        let count = List.size(documents);
        if (count >= limit or (count > 0 and bytes + doc.content.size() > Limits.PAGE_BYTE_BUDGET)) {
          // A matching document remains, so the caller must continue.
          return { documents = List.toArray(documents); next_cursor = ?lastKey };
        };
        List.add(documents, doc);
        bytes += doc.content.size();
        lastKey := key;
      };
    };
    { documents = List.toArray(documents); next_cursor = null };
  };
};
