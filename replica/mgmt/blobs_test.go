package mgmt

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

// TestDecodeBlobsAsAgentGo: payloads with large blobs decode to exactly
// what agent-go's decoder makes of them (also into a struct that lacks the
// blob's field); payloads it cannot lift (small blobs, broken input) are
// left to it, untouched.
func TestDecodeBlobsAsAgentGo(t *testing.T) {
	big := bytes.Repeat([]byte{0, 0x61, 0x73, 0x6d, 0xff}, 80_000)
	version := uint64(7)
	skip := true
	upgrade := &UpgradeOptions{SkipPreUpgrade: &skip}
	cid := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	install := InstallCodeArgs{Mode: InstallMode{Install: &idl.Null{}}, CanisterID: cid, WasmModule: big}
	for name, c := range map[string]struct{ sent, into any }{
		"install, big module and arg": {InstallCodeArgs{Mode: InstallMode{Install: &idl.Null{}}, CanisterID: cid, WasmModule: big, Arg: big[:5000]}, InstallCodeArgs{}},
		"upgrade with options":        {InstallCodeArgs{Mode: InstallMode{Upgrade: &upgrade}, CanisterID: cid, WasmModule: big, Arg: []byte{1, 2}, SenderCanisterVersion: &version}, InstallCodeArgs{}},
		"reinstall, empty arg":        {InstallCodeArgs{Mode: InstallMode{Reinstall: &idl.Null{}}, CanisterID: cid, WasmModule: big}, InstallCodeArgs{}},
		"a chunk":                     {UploadChunkArgs{CanisterID: cid, Chunk: big[:300_000]}, UploadChunkArgs{}},
		"the target canister only":    {install, CanisterIDArg{}},
		"a blob of another field":     {UploadChunkArgs{CanisterID: cid, Chunk: big}, InstallCodeArgs{}},
	} {
		arg, err := candid.Marshal([]any{c.sent})
		if err != nil {
			t.Fatal(err)
		}
		slow := reflect.New(reflect.TypeOf(c.into))
		if err := candid.Unmarshal(arg, []any{slow.Interface()}); err != nil {
			t.Fatalf("%s: agent-go: %v", name, err)
		}
		fast := reflect.New(reflect.TypeOf(c.into))
		if !decodeBlobs(arg, fast.Interface()) {
			t.Errorf("%s: not lifted", name)
			continue
		}
		if !reflect.DeepEqual(fast.Elem().Interface(), slow.Elem().Interface()) {
			t.Errorf("%s: lifted decode differs from agent-go's", name)
		}
	}

	small, _ := candid.Marshal([]any{InstallCodeArgs{Mode: InstallMode{Install: &idl.Null{}}, CanisterID: cid, WasmModule: []byte("\x00asm")}})
	full, _ := candid.Marshal([]any{install})
	for name, arg := range map[string][]byte{
		"small blobs only":            small,
		"truncated":                   full[:len(full)-10],
		"trailing bytes":              append(bytes.Clone(full), 0),
		"no DIDL":                     full[4:],
		"a length beyond the payload": append(bytes.Clone(full[:len(full)-len(big)-3]), 0xff, 0xff, 0xff, 0x7f),
	} {
		var got InstallCodeArgs
		if decodeBlobs(arg, &got) {
			t.Errorf("%s: lifted (%d byte module)", name, len(got.WasmModule))
		}
		if !reflect.DeepEqual(got, InstallCodeArgs{}) {
			t.Errorf("%s: set fields without decoding", name)
		}
	}
}
