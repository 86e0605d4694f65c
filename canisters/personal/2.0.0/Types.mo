/// Public types of protocol personal/2.0.0. They are the Candid contract:
/// change them only in a new protocol version.
module {
  public type Document = {
    key : Text;
    content : Blob;
    content_type : Text;
    /// 1 for a new document, +1 on every successful write.
    revision : Nat;
    /// Time of the last write, nanoseconds since the Unix epoch.
    updated_at : Int;
  };

  public type WriteError = {
    /// if_revision did not match; current is the stored revision (null: absent).
    #conflict : { current : ?Nat };
    #not_found;
    #invalid : Text;
    #unauthorized;
  };

  public type PutResult = { #ok : Document; #err : WriteError };
  public type DeleteResult = { #ok; #err : WriteError };

  public type DocumentPage = {
    documents : [Document];
    /// Pass as cursor to get the next page; null when the listing is complete.
    next_cursor : ?Text;
  };
};
