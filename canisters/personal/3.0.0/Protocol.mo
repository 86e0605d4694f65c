/// Parsing of protocol identifiers such as "personal/3.0.0", used to decide
/// whether a recipient understands messaging.
import Nat "mo:core/Nat";
import Text "mo:core/Text";

module {
  public let FAMILY_PREFIX : Text = "personal/";
  /// Messaging (deliver) exists from personal/3.0.0 on.
  public let MESSAGING_MAJOR : Nat = 3;

  /// The major version of a "personal/<major>.<minor>.<patch>" identifier;
  /// null for anything else (another family or a malformed version).
  public func personalMajor(protocol : Text) : ?Nat {
    let ?version = Text.stripStart(protocol, #text FAMILY_PREFIX) else return null;
    let parts = Text.split(version, #char '.');
    let ?major = parts.next() else return null;
    let ?_minor = parts.next() else return null;
    let ?_patch = parts.next() else return null;
    if (parts.next() != null) return null;
    if (major.size() == 0 or major.size() > 9) return null;
    Nat.fromText(major);
  };

  public func supportsMessaging(protocol : Text) : Bool {
    switch (personalMajor(protocol)) {
      case (?major) major >= MESSAGING_MAJOR;
      case null false;
    };
  };
};
