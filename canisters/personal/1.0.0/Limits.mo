/// Documented limits of protocol personal/1.0.0.
/// They are part of the public contract: a violation is rejected with a
/// message, never truncated, so clients can rely on what they stored.
import Text "mo:core/Text";
import Nat "mo:core/Nat";

module {
  public let MAX_KEY_BYTES : Nat = 256;
  public let MAX_VALUE_BYTES : Nat = 1_048_576; // 1 MiB
  /// Bounds the store so that keys() (which returns every key in one reply)
  /// always fits the IC reply limit: 4096 × 256-byte keys ≈ 1 MiB.
  public let MAX_ENTRIES : Nat = 4_096;

  /// Returns null when the key is acceptable, else the reason.
  public func checkKey(key : Text) : ?Text {
    let bytes = Text.encodeUtf8(key).size();
    if (bytes == 0) return ?"key must not be empty";
    if (bytes > MAX_KEY_BYTES) {
      return ?("key is " # Nat.toText(bytes) # " bytes; the limit is " # Nat.toText(MAX_KEY_BYTES));
    };
    null;
  };

  public func checkValue(value : Blob) : ?Text {
    if (value.size() > MAX_VALUE_BYTES) {
      return ?("value is " # Nat.toText(value.size()) # " bytes; the limit is " # Nat.toText(MAX_VALUE_BYTES));
    };
    null;
  };
};
