package adaptertest

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

func documentFromProto(d *pb.Document) *personalv1.Document {
	if d == nil {
		return nil
	}
	return &personalv1.Document{
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
