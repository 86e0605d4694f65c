package personal2

import (
	"time"

	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/internal/candid/personal_2_0_0"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// The Candid types are generated from protocol/canister/personal/2.0.0.did
// (internal/candid/personal_2_0_0; 3.0.0 keeps them unchanged); these are
// the conversions to the SDK's types.

func documentOf(d *personal_2_0_0.Document) personalv1.Document {
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
