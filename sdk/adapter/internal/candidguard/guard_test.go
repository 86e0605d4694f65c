package candidguard

import (
	"bytes"
	"github.com/aviate-labs/agent-go/leb128"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/hostile"
	personal "github.com/canistry/canistry/internal/candid/personal_3_0_0"
)

// marshal is agent-go's Candid encoding of Go values.
func marshal(t testing.TB, values ...any) []byte {
	t.Helper()
	b, err := candid.Marshal(values)
	if err != nil {
		t.Fatalf("marshal %v: %v", values, err)
	}
	return b
}

func TestAcceptsWhatCanistersSay(t *testing.T) {
	doc := personal.Document{Key: "notes/1", Content: []byte("hello"), ContentType: "text/plain",
		Revision: idl.NewNat(uint64(3)), UpdatedAt: idl.NewInt(1_700_000_000_000_000_000)}
	next := "b"
	huge, _ := new(big.Int).SetString("340282366920938463463374607431768211455", 10)
	for name, msg := range map[string][]byte{
		"nothing":       marshal(t),
		"a document":    marshal(t, &doc),
		"a page":        marshal(t, personal.DocumentPage{Documents: []personal.Document{doc, doc}, NextCursor: &next}),
		"a write error": marshal(t, personal.PutResult{Err: &personal.WriteError{Invalid: &next}}),
		"a grant list":  marshal(t, []personal.Grant{{GrantedAt: idl.NewInt(1), Peer: principal.AnonymousID, Prefix: "shared/"}}),
		"an inbox": marshal(t, personal.InboxPage{Messages: []personal.InboxMessage{{Body: "hi", From: principal.AnonymousID,
			Id: idl.NewNat(uint64(1)), ReceivedAt: idl.NewInt(2), SenderMessageId: idl.NewNat(uint64(3)), SentAt: idl.NewInt(4)}}}),
		"primitives": marshal(t, true, float64(1.5), int8(-3), uint16(65535), "ünïcödé", uint64(1<<63)),
		"a nat128":   marshal(t, idl.NewBigNat(huge)),
	} {
		if err := Check(msg, Limits{}); err != nil {
			t.Errorf("Check(%s) = %v; want accepted", name, err)
		}
	}
}

// hostile messages, written byte by byte: no encoder makes them willingly.
func uleb(n uint64) []byte { return leb128.AppendUnsignedUint64(nil, n) }

func sleb(n int64) []byte { return leb128.AppendSignedInt64(nil, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestRefusesWhatNoProtocolSays(t *testing.T) {
	tests := map[string]struct {
		msg  []byte
		want string
	}{
		"opts nested 10,000 deep": {hostile.NestedOpts(10_000), "type table of 10000"},
		"opts nested 40 deep":     {hostile.NestedOpts(40), "nest"},
		"a recursive type": {cat([]byte("DIDL"), uleb(1), sleb(opOpt), sleb(0), uleb(1), sleb(0),
			bytes.Repeat([]byte{1}, 80_000), []byte{0}), "recursive"},
		"a 100 KB number":            {hostile.HugeNumber(100_000), "LEB128"},
		"vec null of 2^40":           {cat([]byte("DIDL"), uleb(1), sleb(opVec), sleb(opNull), uleb(1), sleb(0), uleb(1<<40)), "vector"},
		"a reference past the table": {cat([]byte("DIDL"), uleb(1), sleb(opOpt), sleb(5), uleb(1), sleb(0), []byte{0}), "past"},
		"no magic":                   {[]byte("DIDX\x00\x00"), "magic"},
		"truncated":                  {cat([]byte("DIDL"), uleb(0), uleb(1), sleb(opText), uleb(10), []byte("abc")), "ends early"},
		"too large":                  {make([]byte, 4<<20), "bytes"},
	}
	for name, tt := range tests {
		start := time.Now()
		err := Check(tt.msg, Limits{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Check = %v; want a refusal mentioning %q", name, err, tt.want)
		}
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Errorf("%s: refusing took %v", name, took)
		}
	}
}

// FuzzCheck: any input is accepted or refused without panicking, and what
// agent-go encodes from its text form is accepted.
func FuzzCheck(f *testing.F) {
	for _, seed := range [][]byte{
		hostile.NestedOpts(3), hostile.NestedOpts(40), []byte("DIDL\x00\x00"),
		marshal(f, personal.PutResult{Ok: &personal.Document{Key: "k", Revision: idl.NewNat(uint64(1)), UpdatedAt: idl.NewInt(0)}}),
		marshal(f, []principal.Principal{principal.AnonymousID}),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		_ = Check(msg, Limits{})
	})
}
