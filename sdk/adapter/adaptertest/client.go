package adaptertest

import (
	"context"
	"strconv"

	"github.com/aviate-labs/agent-go/principal"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/canistry/canistry/internal/adapterproto"
	adapterv1 "github.com/canistry/canistry/internal/gen/canistry/adapter/v1"
	pb "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// client calls the adapter's PersonalService for one canister the way the
// host does: the routing and the IcService capability travel in metadata.
// Its methods speak the SDK's types so that checks read like the API.
type client struct {
	h        *host
	canister principal.Principal
	protocol string
	token    string
}

func (h *host) client(canister principal.Principal, version string) *client {
	return &client{h: h, canister: canister, protocol: "personal/" + version, token: h.ic.grant(canister)}
}

func (c *client) ctx(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx,
		adapterproto.MetaCanister, c.canister.String(),
		adapterproto.MetaProtocol, c.protocol,
		adapterproto.MetaIcBroker, strconv.FormatUint(uint64(c.h.brokerID), 10),
		adapterproto.MetaIcToken, c.token,
	)
}

func (c *client) put(ctx context.Context, req *personalv1.PutDocumentRequest) (*personalv1.Document, error) {
	resp, err := c.h.personal.PutDocument(c.ctx(ctx), &pb.PutDocumentRequest{
		Key: req.Key, Content: req.Content, ContentType: req.ContentType, IfRevision: req.IfRevision,
	})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	return documentFromProto(resp.GetDocument()), nil
}

func (c *client) get(ctx context.Context, key string) (*personalv1.Document, error) {
	resp, err := c.h.personal.GetDocument(c.ctx(ctx), &pb.GetDocumentRequest{Key: key})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	return documentFromProto(resp.GetDocument()), nil
}

func (c *client) list(ctx context.Context, req *personalv1.ListDocumentsRequest) (*personalv1.DocumentPage, error) {
	resp, err := c.h.personal.ListDocuments(c.ctx(ctx), &pb.ListDocumentsRequest{
		Prefix: req.Prefix, PageSize: req.PageSize, PageToken: req.PageToken,
	})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	page := &personalv1.DocumentPage{NextPageToken: resp.GetNextPageToken()}
	for _, d := range resp.GetDocuments() {
		page.Documents = append(page.Documents, *documentFromProto(d))
	}
	return page, nil
}

func (c *client) delete(ctx context.Context, req *personalv1.DeleteDocumentRequest) (bool, error) {
	resp, err := c.h.personal.DeleteDocument(c.ctx(ctx), &pb.DeleteDocumentRequest{
		Key: req.Key, IfRevision: req.IfRevision,
	})
	if err != nil {
		return false, errorFromStatus(err)
	}
	return resp.GetDeleted(), nil
}

func (c *client) send(ctx context.Context, to, body string) (*personalv1.SendMessageResult, error) {
	resp, err := c.h.personal.SendMessage(c.ctx(ctx), &pb.SendMessageRequest{To: to, Body: body})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	return &personalv1.SendMessageResult{
		MessageID: resp.GetMessageId(),
		Delivered: resp.GetDelivery() == pb.Delivery_DELIVERY_DELIVERED,
		Reason:    resp.GetReason(),
	}, nil
}

func (c *client) inbox(ctx context.Context, req *personalv1.ListMessagesRequest) (*personalv1.MessagePage, error) {
	resp, err := c.h.personal.ListMessages(c.ctx(ctx), &pb.ListMessagesRequest{
		PageSize: req.PageSize, PageToken: req.PageToken,
	})
	if err != nil {
		return nil, errorFromStatus(err)
	}
	page := &personalv1.MessagePage{NextPageToken: resp.GetNextPageToken()}
	for _, m := range resp.GetMessages() {
		page.Messages = append(page.Messages, personalv1.Message{
			ID: m.GetId(), From: m.GetFrom(), Body: m.GetBody(),
			SentAt: timeFromProto(m.GetSentAt()), ReceivedAt: timeFromProto(m.GetReceivedAt()),
		})
	}
	return page, nil
}

func (c *client) ack(ctx context.Context, ids []uint64) (uint32, error) {
	resp, err := c.h.personal.AckMessages(c.ctx(ctx), &pb.AckMessagesRequest{Ids: ids})
	if err != nil {
		return 0, errorFromStatus(err)
	}
	return resp.GetAcknowledged(), nil
}

// errorFromStatus is what the adapter's error looks like at the host: the
// code and message, and the IC's reject from the IcReject detail.
func errorFromStatus(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	out := &adapter.Error{Code: adapter.Code(st.Code()), Message: st.Message()}
	for _, d := range st.Details() {
		if r, ok := d.(*adapterv1.IcReject); ok {
			out.IC = &adapter.ICError{RejectCode: r.GetRejectCode(), ErrorCode: r.GetErrorCode(), Message: r.GetMessage()}
		}
	}
	return out
}
