package adapter

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// Answers leave the adapter as the SDK's types and travel as protobuf.

func documentToProto(d *Document) *personalv1.Document {
	if d == nil {
		return nil
	}
	return &personalv1.Document{
		Key:         d.Key,
		Content:     d.Content,
		ContentType: d.ContentType,
		Revision:    d.Revision,
		UpdatedAt:   timeToProto(d.UpdatedAt),
	}
}

func documentPageToProto(p *DocumentPage) *personalv1.ListDocumentsResponse {
	out := &personalv1.ListDocumentsResponse{}
	if p == nil {
		return out
	}
	out.NextPageToken = p.NextPageToken
	for i := range p.Documents {
		out.Documents = append(out.Documents, documentToProto(&p.Documents[i]))
	}
	return out
}

func sendMessageResultToProto(r *SendMessageResult) *personalv1.SendMessageResponse {
	if r == nil {
		return &personalv1.SendMessageResponse{}
	}
	delivery := personalv1.Delivery_DELIVERY_QUEUED
	if r.Delivered {
		delivery = personalv1.Delivery_DELIVERY_DELIVERED
	}
	return &personalv1.SendMessageResponse{MessageId: r.MessageID, Delivery: delivery, Reason: r.Reason}
}

func messagePageToProto(p *MessagePage) *personalv1.ListMessagesResponse {
	out := &personalv1.ListMessagesResponse{}
	if p == nil {
		return out
	}
	out.NextPageToken = p.NextPageToken
	for _, m := range p.Messages {
		out.Messages = append(out.Messages, &personalv1.Message{
			Id:         m.ID,
			From:       m.From,
			Body:       m.Body,
			SentAt:     timeToProto(m.SentAt),
			ReceivedAt: timeToProto(m.ReceivedAt),
		})
	}
	return out
}

// timeToProto leaves a zero time unset: the field is documented as unset
// where the canister keeps no times.
func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
