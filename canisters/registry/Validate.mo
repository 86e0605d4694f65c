/// Bounds on every input of the registry. Each check returns null when the
/// input is fine, or the reason it is not.
import Nat "mo:core/Nat";
import Text "mo:core/Text";

module {
  public let MAX_CHUNK_BYTES = 1_048_576; // 1 MiB: a call with one stays under the IC's 2 MiB
  public let MAX_MODULE_BYTES = 10_485_760; // 10 MiB
  public let MAX_CHUNKS = 10;
  public let MAX_NAME_CHARS = 64;
  public let MAX_DESCRIPTION_BYTES = 1024;
  public let MAX_NOTES_BYTES = 4096;
  public let MAX_REASON_BYTES = 1024;
  public let MAX_PROTOCOL_BYTES = 64;
  public let MAX_METHOD_BYTES = 64;
  public let MAX_SUBJECT_BYTES = 128;
  public let MAX_HISTORY_PAGE = 100;

  func bytes(t : Text) : Nat { Text.encodeUtf8(t).size() };

  func lowerOrDigit(c : Char) : Bool { (c >= 'a' and c <= 'z') or (c >= '0' and c <= '9') };

  /// [a-z][a-z0-9-]{0,31}
  public func appId(id : Text) : ?Text {
    let size = id.size();
    if (size == 0 or size > 32) return ?"app id must be 1 to 32 characters";
    var first = true;
    for (c in id.chars()) {
      let ok = if (first) c >= 'a' and c <= 'z' else lowerOrDigit(c) or c == '-';
      if (not ok) return ?("app id " # debug_show id # " must match [a-z][a-z0-9-]{0,31}");
      first := false;
    };
    null;
  };

  public func name(n : Text) : ?Text {
    if (n.size() == 0 or n.size() > MAX_NAME_CHARS) return ?("name must be 1 to " # Nat.toText(MAX_NAME_CHARS) # " characters");
    null;
  };

  public func atMostBytes(what : Text, t : Text, limit : Nat) : ?Text {
    if (bytes(t) > limit) return ?(what # " must be at most " # Nat.toText(limit) # " bytes");
    null;
  };

  public func reason(r : Text) : ?Text {
    if (Text.trim(r, #char ' ') == "") return ?"a reason is required";
    atMostBytes("reason", r, MAX_REASON_BYTES);
  };

  /// A protocol string such as "personal/3.0.0": printable ASCII, no spaces.
  public func protocol(p : Text) : ?Text {
    let size = bytes(p);
    if (size == 0 or size > MAX_PROTOCOL_BYTES) return ?("protocol must be 1 to " # Nat.toText(MAX_PROTOCOL_BYTES) # " bytes");
    for (c in p.chars()) {
      if (c <= ' ' or c > '~') return ?"protocol must be printable ASCII without spaces";
    };
    null;
  };

  /// A Candid method name: [A-Za-z_][A-Za-z0-9_]*.
  public func method(m : Text) : ?Text {
    let size = m.size();
    if (size == 0 or size > MAX_METHOD_BYTES) return ?("health_method must be 1 to " # Nat.toText(MAX_METHOD_BYTES) # " characters");
    var first = true;
    for (c in m.chars()) {
      let letter = (c >= 'a' and c <= 'z') or (c >= 'A' and c <= 'Z') or c == '_';
      if (not (letter or (not first and c >= '0' and c <= '9'))) return ?("health_method " # debug_show m # " is not a method name");
      first := false;
    };
    null;
  };

  public func sha256(what : Text, b : Blob) : ?Text {
    if (b.size() != 32) return ?(what # " must be a SHA-256 (32 bytes), not " # Nat.toText(b.size()) # " bytes");
    null;
  };

  /// The first reason among checks, or null.
  public func first(checks : [?Text]) : ?Text {
    for (c in checks.vals()) { if (c != null) return c };
    null;
  };
};
