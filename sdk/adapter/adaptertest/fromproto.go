package adaptertest

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/sdk/adapter"
)

func documentFromProto(d *personalv1.Document) *adapter.Document {
	if d == nil {
		return nil
	}
	return &adapter.Document{
		Key:         d.GetKey(),
		Content:     d.GetContent(),
		ContentType: d.GetContentType(),
		Revision:    d.GetRevision(),
		UpdatedAt:   timeFromProto(d.GetUpdatedAt()),
	}
}

func timeFromProto(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}
