package personalv1

import "time"

// Document is a stored document.
type Document struct {
	Key     string
	Content []byte
	// ContentType is "application/octet-stream" where the canister keeps none.
	ContentType string
	// Revision is 0 where the canister keeps no revisions.
	Revision uint64
	// UpdatedAt is zero where the canister keeps no update times.
	UpdatedAt time.Time
}

// PutDocumentRequest creates or replaces a document.
type PutDocumentRequest struct {
	Key         string
	Content     []byte
	ContentType string
	// IfRevision makes the write conditional: only if the document is at
	// this revision (0: only if it does not exist).
	IfRevision *uint64
}

// ListDocumentsRequest asks for one page of documents by key prefix.
type ListDocumentsRequest struct {
	Prefix    string
	PageSize  uint32
	PageToken string
}

// DocumentPage is one page of documents in key order.
type DocumentPage struct {
	Documents     []Document
	NextPageToken string
}

// DeleteDocumentRequest removes a document, optionally only at a revision.
type DeleteDocumentRequest struct {
	Key        string
	IfRevision *uint64
}

// SendMessageRequest sends a message to another personal canister.
type SendMessageRequest struct {
	To   string
	Body string
}

// SendMessageResult says whether the message was delivered or waits.
type SendMessageResult struct {
	MessageID uint64
	Delivered bool
	// Reason says why a queued message waits.
	Reason string
}

// ListMessagesRequest asks for one page of the inbox.
type ListMessagesRequest struct {
	PageSize  uint32
	PageToken string
}

// Message is a message in the inbox.
type Message struct {
	ID         uint64
	From       string
	Body       string
	SentAt     time.Time
	ReceivedAt time.Time
}

// MessagePage is one page of the inbox.
type MessagePage struct {
	Messages      []Message
	NextPageToken string
}
