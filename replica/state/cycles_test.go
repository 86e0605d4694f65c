package state

import (
	"encoding/hex"
	"testing"

	"github.com/fxamacker/cbor/v2"

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
	got, err := cbor.Marshal(cyclesRecord())
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != storedCanister {
		t.Fatalf("canister record encodes as\n%x\nwant\n%s", got, storedCanister)
	}
	b, _ := hex.DecodeString(storedCanister)
	var back Canister
	if err := cbor.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	want := cyclesRecord()
	if back.Cycles != want.Cycles || back.Settings.ReservedCyclesLimit != want.Settings.ReservedCyclesLimit ||
		back.CallContexts[0].Available != want.CallContexts[0].Available ||
		back.Callbacks[0].Sent != want.Callbacks[0].Sent {
		t.Fatalf("stored record decodes as %+v", back)
	}
}

func TestMessageCyclesEncodingIsStable(t *testing.T) {
	m := Message{Kind: "request", Cycles: cycles.Amount{Hi: ^uint64(0), Lo: ^uint64(0)}}
	got, err := cbor.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != storedMessage {
		t.Fatalf("message encodes as %x, want %s", got, storedMessage)
	}
	b, _ := hex.DecodeString(storedMessage)
	var back Message
	if err := cbor.Unmarshal(b, &back); err != nil || back.Cycles != m.Cycles {
		t.Fatalf("stored message decodes as %+v (%v)", back, err)
	}
}
