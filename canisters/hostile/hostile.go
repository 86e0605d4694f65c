// Package hostile builds canisters that lie: each claims a Canistry
// protocol in its public canistry:protocol metadata and answers every call
// with a reply no version of that protocol produces. Tests install them to
// show that an adapter refuses such replies within bounded time and CPU,
// while it keeps serving well-behaved canisters of the same version.
package hostile

import (
	"bytes"
	"fmt"
	"github.com/aviate-labs/agent-go/leb128"
	"strings"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// The methods an adapter of personal 2.x calls; a hostile canister answers
// each with the same reply.
var queries = []string{"get_document", "list_documents", "protocol"}
var updates = []string{"put_document", "delete_document"}

// Module is a wasm32 canister module claiming protocol (e.g.
// "personal/2.0.0") that answers every method with reply.
func Module(protocol string, reply []byte) ([]byte, error) {
	var exports strings.Builder
	for _, m := range queries {
		fmt.Fprintf(&exports, "  (func (export \"canister_query %s\") (call $answer))\n", m)
	}
	for _, m := range updates {
		fmt.Fprintf(&exports, "  (func (export \"canister_update %s\") (call $answer))\n", m)
	}
	pages := len(reply)/65536 + 1
	wat := fmt.Sprintf(`(module
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory %d)
  (data (i32.const 0) "%s")
  (func $answer (call $append (i32.const 0) (i32.const %d)) (call $reply))
%s  (@custom "icp:public canistry:protocol" "%s"))`, pages, watBytes(reply), len(reply), exports.String(), protocol)
	return wasmtime.Wat2Wasm(wat)
}

// watBytes escapes b for a WAT string.
func watBytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "\\%02x", c)
	}
	return s.String()
}

// NestedOpts is a Candid reply of one value whose type nests opt depth
// times (opt opt ... opt nat): 3 bytes a level, and agent-go's decoder
// spends seconds on tens of thousands of levels.
func NestedOpts(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("DIDL")
	b.Write(uleb(uint64(depth)))
	for i := range depth { // type i = opt (type i+1); the last is opt nat
		b.Write(sleb(-18))
		if i == depth-1 {
			b.Write(sleb(-3))
		} else {
			b.Write(sleb(int64(i + 1)))
		}
	}
	b.Write(uleb(1))
	b.Write(sleb(0))
	b.Write(bytes.Repeat([]byte{1}, depth))
	b.WriteByte(0)
	return b.Bytes()
}

// HugeNumber is a Candid reply of one nat of n LEB128 bytes.
func HugeNumber(n int) []byte {
	var b bytes.Buffer
	b.WriteString("DIDL")
	b.Write(uleb(0))
	b.Write(uleb(1))
	b.Write(sleb(-3))
	b.Write(bytes.Repeat([]byte{0xff}, n-1))
	b.WriteByte(1)
	return b.Bytes()
}

func uleb(n uint64) []byte { return leb128.AppendUnsignedUint64(nil, n) }

func sleb(n int64) []byte { return leb128.AppendSignedInt64(nil, n) }
