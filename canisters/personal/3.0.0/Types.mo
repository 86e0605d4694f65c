/// Public types of protocol personal/3.0.0. They are the Candid contract:
/// change them only in a new protocol version. Document and WriteError are
/// unchanged from 2.0.0 (Document must stay identical: stored documents are
/// inherited from 2.0.0 data).
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

  /// The peer canister may read documents whose key starts with prefix.
  public type Grant = { peer : Principal; prefix : Text; granted_at : Int };
  public type GrantResult = { #ok; #err : WriteError };

  /// What a sender passes to the recipient's deliver(). The sender is the
  /// authenticated caller, so it is not part of the message.
  public type Envelope = {
    /// The sender's outbox id; with the caller it identifies the message.
    id : Nat;
    body : Text;
    sent_at : Int;
  };

  public type DeliverError = { #invalid : Text; #inbox_full; #not_a_canister };
  public type DeliverResult = { #ok : { inbox_id : Nat }; #err : DeliverError };

  public type InboxMessage = {
    id : Nat;
    from : Principal;
    sender_message_id : Nat;
    body : Text;
    sent_at : Int;
    received_at : Int;
  };

  public type InboxPage = {
    messages : [InboxMessage];
    /// Pass as cursor to get the next page; null when nothing is left.
    next_cursor : ?Nat;
  };

  public type OutboxMessage = {
    id : Nat;
    to : Principal;
    body : Text;
    created_at : Int;
    attempts : Nat;
    last_attempt_at : ?Int;
    last_error : ?Text;
  };

  public type SendResult = {
    #delivered : { id : Nat };
    /// Kept in the outbox; the retry timer delivers it once the recipient
    /// speaks personal/3.0.0 or later and accepts it.
    #queued : { id : Nat; reason : Text };
    #invalid : Text;
    #outbox_full;
    #unauthorized;
  };

  public type RetrySummary = { delivered : Nat; pending : Nat };
};
