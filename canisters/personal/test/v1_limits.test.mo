// Limits and the upgrade guard of personal/1.0.0.
import Blob "mo:core/Blob";
import Array "mo:core/Array";
import Text "mo:core/Text";
import Limits "../1.0.0/Limits";
import Upgrade "../1.0.0/Upgrade";

func repeatText(unit : Text, times : Nat) : Text {
  var out = "";
  for (_ in Array.repeat<Nat>(0, times).values()) out #= unit;
  out;
};

// 2^20 bytes by doubling (the interpreter overflows on million-element arrays).
func mebibyteText() : Text {
  var out = "a";
  for (_ in Array.repeat<Nat>(0, 20).values()) out #= out;
  out;
};
let mebibyte : Blob = Text.encodeUtf8(mebibyteText());
assert mebibyte.size() == 1_048_576;

// Keys: 1..256 UTF-8 bytes (not characters).
assert Limits.checkKey("") != null;
assert Limits.checkKey("a") == null;
assert Limits.checkKey(repeatText("a", 256)) == null;
assert Limits.checkKey(repeatText("a", 257)) == ?"key is 257 bytes; the limit is 256";
assert Limits.checkKey(repeatText("é", 128)) == null; // 2 bytes each: 256
assert Limits.checkKey(repeatText("é", 129)) != null; // 258 bytes, 129 characters

// Values: at most 1 MiB.
assert Limits.checkValue(Blob.empty()) == null;
assert Limits.checkValue(mebibyte) == null;
assert Limits.checkValue(Text.encodeUtf8(mebibyteText() # "b")) == ?"value is 1048577 bytes; the limit is 1048576";

// The guard stamps data_version 1 for data of version 1 (same-version upgrade).
assert Upgrade.migration({ data_version = 1 }).data_version == 1;
