package state

import (
	"encoding/hex"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/canistry/canistry/replica/cycles"
)

// storedMessage is a queued message carrying the most cycles there are,
// as written before the move.
const storedMessage = "a201677265717565737406a2011bffffffffffffffff021bffffffffffffffff"

// storedCanister is a canister record with every cycles field set, as the
// replica wrote it before the cycles type moved out of this package. State
// directories written then must still load, and new writes must not differ.
const storedCanister = "ad01410102f6030104a20101020205a701000200030004a20100021b0000048c27395000050006000760070009000a000b000e000f001181a3010102a1016005a2010302041281a60102020103f604a20100020005a20100020007a201000218fa"

func cyclesRecord() *Canister {
	return &Canister{
		ID: []byte{1}, Status: Running,
		Cycles:       cycles.Amount{Hi: 1, Lo: 2},
		Settings:     Settings{ReservedCyclesLimit: cycles.Amount{Lo: 5_000_000_000_000}},
		CallContexts: []CallContext{{ID: 1, Available: cycles.Amount{Hi: 3, Lo: 4}}},
		Callbacks:    []Callback{{ID: 2, Context: 1, Sent: cycles.Amount{Lo: 250}}},
	}
}

func TestCyclesEncodingIsStable(t *testing.T) {
	assertStored(t, cyclesRecord(), storedCanister)
	assertStored(t, &Message{Kind: "request", Cycles: cycles.Max}, storedMessage)
}

// assertStored checks that v encodes as the stored bytes and that they
// decode back to v.
func assertStored[T any](t *testing.T, v *T, stored string) {
	t.Helper()
	got, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != stored {
		t.Fatalf("%T encodes as\n%x\nwant\n%s", v, got, stored)
	}
	b, _ := hex.DecodeString(stored)
	back := new(T)
	if err := cbor.Unmarshal(b, back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, back); diff != "" {
		t.Fatalf("stored %T decodes differently (-want +got):\n%s", v, diff)
	}
}
