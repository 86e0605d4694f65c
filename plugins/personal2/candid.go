package personal2

import (
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// The Candid types of protocol/canister/personal/2.0.0.did (unchanged in
// 3.0.0), in agent-go's shape: records as tagged structs, variants as
// structs of pointers, opt as a pointer.

type document struct {
	Key         string  `ic:"key"`
	Content     []byte  `ic:"content"`
	ContentType string  `ic:"content_type"`
	Revision    idl.Nat `ic:"revision"`
	UpdatedAt   idl.Int `ic:"updated_at"`
}

type conflict struct {
	Current *idl.Nat `ic:"current"`
}

type writeError struct {
	Conflict     *conflict `ic:"conflict,variant"`
	Invalid      *string   `ic:"invalid,variant"`
	NotFound     *idl.Null `ic:"not_found,variant"`
	Unauthorized *idl.Null `ic:"unauthorized,variant"`
}

type putResult struct {
	Ok  *document   `ic:"ok,variant"`
	Err *writeError `ic:"err,variant"`
}

type deleteResult struct {
	Ok  *idl.Null   `ic:"ok,variant"`
	Err *writeError `ic:"err,variant"`
}

type documentPage struct {
	Documents  []document `ic:"documents"`
	NextCursor *string    `ic:"next_cursor"`
}

func (d *document) toAdapter() personalv1.Document {
	return personalv1.Document{
		Key:         d.Key,
		Content:     d.Content,
		ContentType: d.ContentType,
		Revision:    d.Revision.BigInt().Uint64(),
		UpdatedAt:   TimeFromNanos(d.UpdatedAt),
	}
}

// TimeFromNanos converts the canister's nanoseconds since the epoch.
func TimeFromNanos(ns idl.Int) time.Time {
	return time.Unix(0, ns.BigInt().Int64()).UTC()
}

// optNat is a Candid opt nat of an optional revision.
func optNat(v *uint64) *idl.Nat {
	if v == nil {
		return nil
	}
	n := idl.NewNat(*v)
	return &n
}

func natOf(v uint64) idl.Nat { return idl.NewNat(v) }
