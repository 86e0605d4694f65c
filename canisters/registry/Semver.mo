/// Semantic versions (MAJOR.MINOR.PATCH[-pre]) and the constraints of a
/// release's upgrade_from:
///
///   >=1.0.0 <3.0.0     every comparator holds (space = AND)
///   ^1.2.0 || =0.9.0   one of the alternatives holds (|| = OR)
///
/// Comparators: >=, >, <=, <, = (or a bare version), ^v (same major, at
/// least v; for 0.x same minor; for 0.0.x exactly v), ~v (same minor, at
/// least v). Versions are ordered as semver orders them (a pre-release is
/// below its release); unlike npm, a pre-release matches a range like any
/// other version. The empty constraint admits nothing.
import Array "mo:core/Array";
import Char "mo:core/Char";
import Iter "mo:core/Iter";
import Nat "mo:core/Nat";
import Nat32 "mo:core/Nat32";
import Option "mo:core/Option";
import Order "mo:core/Order";
import Text "mo:core/Text";

module {
  public type Version = { major : Nat; minor : Nat; patch : Nat; pre : [Text] };

  type Op = { #lt; #le; #gt; #ge; #eq };
  type Comparator = { op : Op; version : Version };
  /// Alternatives (OR), each a list of comparators (AND).
  public type Constraint = [[Comparator]];

  public let MAX_VERSION_BYTES = 64;
  public let MAX_CONSTRAINT_BYTES = 256;

  func isDigit(c : Char) : Bool { c >= '0' and c <= '9' };

  /// A number of at most 9 digits, without leading zeros.
  func number(t : Text) : ?Nat {
    let size = t.size();
    if (size == 0 or size > 9) return null;
    if (size > 1 and Text.startsWith(t, #char '0')) return null;
    var n = 0;
    for (c in t.chars()) {
      if (not isDigit(c)) return null;
      n := n * 10 + Nat32.toNat(Char.toNat32(c) - 48);
    };
    ?n;
  };

  func preIdentifier(t : Text) : Bool {
    if (t.size() == 0) return false;
    for (c in t.chars()) {
      if (not (isDigit(c) or (c >= 'a' and c <= 'z') or (c >= 'A' and c <= 'Z') or c == '-')) return false;
    };
    // Numeric identifiers must not have leading zeros.
    if (Text.startsWith(t, #char '0') and t.size() > 1 and Iter.all(t.chars(), isDigit)) return false;
    true;
  };

  /// Parses MAJOR.MINOR.PATCH[-pre] (no build metadata).
  public func parse(t : Text) : ?Version {
    if (t.size() == 0 or t.size() > MAX_VERSION_BYTES) return null;
    let halves = Iter.toArray(Text.split(t, #char '-'));
    let core = Iter.toArray(Text.split(halves[0], #char '.'));
    if (core.size() != 3) return null;
    let ?major = number(core[0]) else return null;
    let ?minor = number(core[1]) else return null;
    let ?patch = number(core[2]) else return null;
    var pre : [Text] = [];
    if (halves.size() > 1) {
      // The pre-release is everything after the first '-', which may itself hold '-'.
      let rest = Text.join(Array.sliceToArray(halves, 1, halves.size()).values(), "-");
      if (rest == "") return null;
      pre := Iter.toArray(Text.split(rest, #char '.'));
      for (id in pre.values()) { if (not preIdentifier(id)) return null };
    };
    ?{ major; minor; patch; pre };
  };

  public func toText(v : Version) : Text {
    let core = Nat.toText(v.major) # "." # Nat.toText(v.minor) # "." # Nat.toText(v.patch);
    if (v.pre.size() == 0) core else core # "-" # Text.join(v.pre.values(), ".");
  };

  func comparePre(a : [Text], b : [Text]) : Order.Order {
    if (a.size() == 0 and b.size() == 0) return #equal;
    if (a.size() == 0) return #greater; // a release is above its pre-releases
    if (b.size() == 0) return #less;
    var i = 0;
    while (i < a.size() and i < b.size()) {
      let o = switch (number(a[i]), number(b[i])) {
        case (?x, ?y) Nat.compare(x, y);
        case (?_, null) #less; // numeric identifiers sort below alphanumeric ones
        case (null, ?_) #greater;
        case (null, null) Text.compare(a[i], b[i]);
      };
      if (o != #equal) return o;
      i += 1;
    };
    Nat.compare(a.size(), b.size());
  };

  public func compare(a : Version, b : Version) : Order.Order {
    let o = Nat.compare(a.major, b.major);
    if (o != #equal) return o;
    let m = Nat.compare(a.minor, b.minor);
    if (m != #equal) return m;
    let p = Nat.compare(a.patch, b.patch);
    if (p != #equal) return p;
    comparePre(a.pre, b.pre);
  };

  func version(major : Nat, minor : Nat, patch : Nat) : Version {
    { major; minor; patch; pre = [] };
  };

  /// One token of an alternative, as one or two comparators.
  func comparators(token : Text) : ?[Comparator] {
    func single(prefix : Text, op : Op) : ?[Comparator] {
      let ?rest = Text.stripStart(token, #text prefix) else return null;
      let ?v = parse(rest) else return null;
      ?[{ op; version = v }];
    };
    if (Text.startsWith(token, #text ">=")) return single(">=", #ge);
    if (Text.startsWith(token, #text "<=")) return single("<=", #le);
    if (Text.startsWith(token, #text ">")) return single(">", #gt);
    if (Text.startsWith(token, #text "<")) return single("<", #lt);
    if (Text.startsWith(token, #text "=")) return single("=", #eq);
    if (Text.startsWith(token, #text "^")) {
      let ?v = Option.chain<Text, Version>(Text.stripStart(token, #char '^'), parse) else return null;
      let upper = if (v.major > 0) version(v.major + 1, 0, 0) else if (v.minor > 0) version(0, v.minor + 1, 0) else version(0, 0, v.patch + 1);
      return ?[{ op = #ge; version = v }, { op = #lt; version = upper }];
    };
    if (Text.startsWith(token, #text "~")) {
      let ?v = Option.chain<Text, Version>(Text.stripStart(token, #char '~'), parse) else return null;
      return ?[{ op = #ge; version = v }, { op = #lt; version = version(v.major, v.minor + 1, 0) }];
    };
    let ?v = parse(token) else return null;
    ?[{ op = #eq; version = v }];
  };

  /// Parses a constraint; "" is the constraint that admits nothing.
  public func parseConstraint(t : Text) : ?Constraint {
    if (t.size() > MAX_CONSTRAINT_BYTES) return null;
    if (Text.trim(t, #char ' ') == "") return ?[];
    var alternatives : [[Comparator]] = [];
    for (alt in Text.split(t, #text "||")) {
      var all : [Comparator] = [];
      for (token in Text.split(alt, #char ' ')) {
        if (token != "") {
          let ?cs = comparators(token) else return null;
          all := Array.concat(all, cs);
        };
      };
      if (all.size() == 0) return null; // "a ||" or "|| b"
      alternatives := Array.concat(alternatives, [all]);
    };
    ?alternatives;
  };

  func holds(c : Comparator, v : Version) : Bool {
    let o = compare(v, c.version);
    switch (c.op) {
      case (#lt) o == #less;
      case (#le) o != #greater;
      case (#gt) o == #greater;
      case (#ge) o != #less;
      case (#eq) o == #equal;
    };
  };

  public func admits(c : Constraint, v : Version) : Bool {
    for (alt in c.vals()) {
      if (Array.all<Comparator>(alt, func(cmp) = holds(cmp, v))) return true;
    };
    false;
  };

  /// admits on texts; an unparsable constraint or version admits nothing.
  public func admitsText(constraint : Text, v : Text) : Bool {
    switch (parseConstraint(constraint), parse(v)) {
      case (?c, ?ver) admits(c, ver);
      case _ false;
    };
  };
};
