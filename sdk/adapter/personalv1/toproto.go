package personalv1

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
)

// Answers leave the adapter as the SDK's types and travel as protobuf.

func documentToProto(d *Document) *pb.Document {
	if d == nil {
		return nil
	}
	return &pb.Document{
		Key:         d.Key,
		Content:     d.Content,
		ContentType: d.ContentType,
		Revision:    d.Revision,
		UpdatedAt:   timeToProto(d.UpdatedAt),
	}
}

func documentPageToProto(p *DocumentPage) *pb.ListDocumentsResponse {
	out := &pb.ListDocumentsResponse{}
	if p == nil {
		return out
	}
	out.NextPageToken = p.NextPageToken
	for i := range p.Documents {
		out.Documents = append(out.Documents, documentToProto(&p.Documents[i]))
	}
	return out
}

func sendMessageResultToProto(r *SendMessageResult) *pb.SendMessageResponse {
	if r == nil {
		return &pb.SendMessageResponse{}
	}
	delivery := pb.Delivery_DELIVERY_QUEUED
	if r.Delivered {
		delivery = pb.Delivery_DELIVERY_DELIVERED
	}
	return &pb.SendMessageResponse{MessageId: r.MessageID, Delivery: delivery, Reason: r.Reason}
}

func messagePageToProto(p *MessagePage) *pb.ListMessagesResponse {
	out := &pb.ListMessagesResponse{}
	if p == nil {
		return out
	}
	out.NextPageToken = p.NextPageToken
	for _, m := range p.Messages {
		out.Messages = append(out.Messages, &pb.Message{
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
