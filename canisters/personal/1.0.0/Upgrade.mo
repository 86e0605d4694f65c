/// Upgrade guard of protocol personal/1.0.0.
///
/// Every personal version stores `data_version`, the layout version of its
/// stable data. The migration function below runs on every upgrade INTO this
/// code, before the actor body, and traps when the data was written by a newer
/// layout: trapping aborts the upgrade atomically, so the newer code keeps
/// running with its data intact. Enhanced orthogonal persistence already
/// refuses most downgrades because the newer stable fields are unknown here;
/// this guard makes the refusal explicit and readable in the remaining cases
/// (a newer layout whose types happen to fit this code).
import Nat "mo:core/Nat";
import Runtime "mo:core/Runtime";

module {
  public let DATA_VERSION : Nat = 1;
  public let PROTOCOL : Text = "personal/1.0.0";

  public func migration(old : { data_version : Nat }) : { data_version : Nat } {
    if (old.data_version > DATA_VERSION) {
      Runtime.trap(
        PROTOCOL # " refuses to downgrade: the stored data has data_version " # Nat.toText(old.data_version) #
        " but this code understands data_version " # Nat.toText(DATA_VERSION) # " at most"
      );
    };
    { data_version = DATA_VERSION };
  };
};
