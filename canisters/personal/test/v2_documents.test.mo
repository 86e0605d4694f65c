// Conditional writes, deletes, paging and the 1.0.0 drain of personal/2.0.0.
import Array "mo:core/Array";
import Map "mo:core/Map";
import Text "mo:core/Text";
import Documents "../2.0.0/Documents";
import Limits "../2.0.0/Limits";
import Types "../2.0.0/Types";
import Upgrade "../2.0.0/Upgrade";

let store : Documents.Store = Map.empty<Text, Types.Document>();
func put(key : Text, ifRevision : ?Nat) : Types.PutResult {
  Documents.put(store, key, Text.encodeUtf8("v"), "text/plain", ifRevision, 42);
};
func revisionOf(result : Types.PutResult) : Nat {
  switch result { case (#ok doc) doc.revision; case (#err _) 0 };
};

// if_revision = ?0: create only.
assert revisionOf(put("a", ?0)) == 1;
assert put("a", ?0) == #err(#conflict { current = ?1 });
// ?r: replace only revision r.
assert revisionOf(put("a", ?1)) == 2;
assert put("a", ?1) == #err(#conflict { current = ?2 });
assert put("missing", ?3) == #err(#conflict { current = null });
// null: unconditional.
assert revisionOf(put("a", null)) == 3;
assert revisionOf(put("b", null)) == 1;
switch (put("c", null)) {
  case (#ok doc) assert doc == { key = "c"; content = Text.encodeUtf8("v"); content_type = "text/plain"; revision = 1; updated_at = 42 };
  case (#err _) assert false;
};

// Validation is reported as #invalid, nothing is stored.
assert put("", null) == #err(#invalid "key must not be empty");
switch (Documents.put(store, "d", Text.encodeUtf8(""), "plain", null, 0)) {
  case (#err(#invalid _)) {};
  case _ assert false;
};
assert Limits.checkContentType("text/plain; charset=utf-8") == null;
assert Limits.checkContentType("text/plain\n") != null;
assert Map.get(store, Text.compare, "d") == null;

// Deletes.
assert Documents.delete(store, "nope", null) == #err(#not_found);
assert Documents.delete(store, "a", ?2) == #err(#conflict { current = ?3 });
assert Documents.delete(store, "a", ?0) == #err(#conflict { current = ?3 });
assert Documents.delete(store, "a", ?3) == #ok;
assert Documents.delete(store, "a", null) == #err(#not_found);
assert Documents.delete(store, "b", null) == #ok;

// Paging: prefix, order, cursor, page size.
Map.clear(store);
for (key in ["x/3", "x/1", "y/1", "x/2", "w", "x", "x/10"].values()) ignore put(key, null);
func keysOf(page : Types.DocumentPage) : [Text] = Array.map<Types.Document, Text>(page.documents, func d = d.key);

let all = Documents.page(store, "", 100, null);
assert keysOf(all) == ["w", "x", "x/1", "x/10", "x/2", "x/3", "y/1"];
assert all.next_cursor == null;

let first = Documents.page(store, "x/", 2, null);
assert keysOf(first) == ["x/1", "x/10"];
assert first.next_cursor == ?"x/10";
let second = Documents.page(store, "x/", 2, first.next_cursor);
assert keysOf(second) == ["x/2", "x/3"];
// The page that takes the last matching key reports the end: no empty extra page.
assert second.next_cursor == null;
// A cursor at the last key yields an empty, final page.
let third = Documents.page(store, "x/", 2, ?"x/3");
assert keysOf(third) == [];
assert third.next_cursor == null;
// A cursor before the prefix range starts at the prefix.
assert keysOf(Documents.page(store, "x/", 100, ?"a")) == ["x/1", "x/10", "x/2", "x/3"];
assert keysOf(Documents.page(store, "z", 100, null)) == [];
assert Limits.pageLimit(0) == null;
assert Limits.pageLimit(1_000) == ?100;

// A page stops at the byte budget but always carries one document.
func mebibyteText() : Text {
  var out = "a";
  for (_ in Array.repeat<Nat>(0, 20).values()) out #= out;
  out;
};
let big = Text.encodeUtf8(mebibyteText());
Map.clear(store);
for (key in ["big/1", "big/2", "big/3"].values()) {
  ignore Documents.put(store, key, big, "application/octet-stream", null, 0);
};
let heavy = Documents.page(store, "big/", 100, null);
assert keysOf(heavy) == ["big/1"];
assert heavy.next_cursor == ?"big/1";
assert keysOf(Documents.page(store, "big/", 100, heavy.next_cursor)) == ["big/2"];

// Upgrade from 1.0.0: every value becomes revision 1, octet-stream, upgrade time.
let v1 = Map.fromIter<Text, Blob>([("k1", Text.encodeUtf8("one")), ("k2", Text.encodeUtf8("two"))].values(), Text.compare);
let docs = Map.empty<Text, Types.Document>();
assert Upgrade.drainV1(v1, docs, 7) == 2;
assert Map.isEmpty(v1);
assert Map.get(docs, Text.compare, "k2") == ?{ key = "k2"; content = Text.encodeUtf8("two"); content_type = "application/octet-stream"; revision = 1; updated_at = 7 };
assert Upgrade.drainV1(v1, docs, 8) == 0; // later starts are no-ops
assert Map.size(docs) == 2;
assert Upgrade.migration({ data_version = 1 }).data_version == 2;
assert Upgrade.migration({ data_version = 2 }).data_version == 2;
