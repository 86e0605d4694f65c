package hostile

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
)

func TestModuleBuilds(t *testing.T) {
	for name, reply := range map[string][]byte{"nested": NestedOpts(27_000), "number": HugeNumber(100_000)} {
		wasm, err := Module("personal/2.0.0", reply)
		if err != nil || len(wasm) < len(reply) {
			t.Fatalf("%s: %d bytes, %v", name, len(wasm), err)
		}
	}
}

// TestRepliesAreExpensiveToDecode documents why the guard exists: agent-go
// spends far longer on these few kilobytes than on any real reply. It
// decodes small versions only, and only logs the time.
func TestRepliesAreExpensiveToDecode(t *testing.T) {
	for name, reply := range map[string][]byte{"nested 2,000": NestedOpts(2_000), "number 10 KB": HugeNumber(10_000)} {
		start := time.Now()
		_, _, err := candid.Decode(reply)
		t.Logf("agent-go decodes %s (%d bytes) in %v (err %v)", name, len(reply), time.Since(start), err)
	}
}
