/// Documented limits of protocol personal/3.0.0. A violation is rejected
/// (#invalid or a reject), never truncated.
import Text "mo:core/Text";
import Nat "mo:core/Nat";
import Char "mo:core/Char";

module {
  public let MAX_KEY_BYTES : Nat = 256;
  public let MAX_CONTENT_BYTES : Nat = 1_048_576; // 1 MiB
  public let MAX_CONTENT_TYPE_BYTES : Nat = 255;
  public let MAX_PAGE_SIZE : Nat = 100;
  /// A page ends early once its contents reach this many bytes, so that a
  /// page of large documents or messages still fits the IC's 2 MiB reply
  /// limit. The first item of a page is always included.
  public let PAGE_BYTE_BUDGET : Nat = 1_572_864; // 1.5 MiB

  public let MAX_GRANTS : Nat = 256;
  public let MAX_BODY_BYTES : Nat = 16_384;
  /// outbox() returns every pending message in one reply:
  /// 100 × 16 KiB bodies stay below the 2 MiB reply limit.
  public let MAX_OUTBOX : Nat = 100;
  /// Bounds what strangers' canisters can make this canister store.
  public let MAX_INBOX : Nat = 1_000;

  public func checkKey(key : Text) : ?Text {
    let bytes = Text.encodeUtf8(key).size();
    if (bytes == 0) return ?"key must not be empty";
    if (bytes > MAX_KEY_BYTES) return ?tooLong("key", bytes, MAX_KEY_BYTES);
    null;
  };

  /// A prefix may be empty (it then matches every key).
  public func checkPrefix(prefix : Text) : ?Text {
    let bytes = Text.encodeUtf8(prefix).size();
    if (bytes > MAX_KEY_BYTES) return ?tooLong("prefix", bytes, MAX_KEY_BYTES);
    null;
  };

  public func checkContent(content : Blob) : ?Text {
    if (content.size() > MAX_CONTENT_BYTES) return ?tooLong("content", content.size(), MAX_CONTENT_BYTES);
    null;
  };

  /// A media type such as "text/plain; charset=utf-8": printable ASCII with a '/'.
  public func checkContentType(contentType : Text) : ?Text {
    let bytes = Text.encodeUtf8(contentType).size();
    if (bytes == 0) return ?"content_type must not be empty";
    if (bytes > MAX_CONTENT_TYPE_BYTES) return ?tooLong("content_type", bytes, MAX_CONTENT_TYPE_BYTES);
    for (c in contentType.chars()) {
      let code = Char.toNat32(c);
      if (code < 0x20 or code > 0x7e) return ?"content_type must be printable ASCII";
    };
    if (not Text.contains(contentType, #char '/')) return ?"content_type must be a media type such as \"text/plain\"";
    null;
  };

  public func checkBody(body : Text) : ?Text {
    let bytes = Text.encodeUtf8(body).size();
    if (bytes == 0) return ?"body must not be empty";
    if (bytes > MAX_BODY_BYTES) return ?tooLong("body", bytes, MAX_BODY_BYTES);
    null;
  };

  /// page_size / limit is capped at MAX_PAGE_SIZE; zero is a caller error.
  public func pageLimit(pageSize : Nat) : ?Nat {
    if (pageSize == 0) return null;
    ?Nat.min(pageSize, MAX_PAGE_SIZE);
  };

  func tooLong(what : Text, bytes : Nat, limit : Nat) : Text {
    what # " is " # Nat.toText(bytes) # " bytes; the limit is " # Nat.toText(limit);
  };
};
