package icsig

import (
	"encoding/hex"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
)

// The spec's example canister signature key: canister
// rrkah-fqaaa-aaaaa-aaaaq-cai, seed "seed".
func TestParseSpecCanisterSigKey(t *testing.T) {
	der, _ := hex.DecodeString("3020300c060a2b0601040183b8430102031000" + "0a00000000000000010101" + "73656564")
	v, err := ParsePublicKey(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := v.(canisterSigKey)
	if !k.canister.Equal(principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")) || string(k.seed) != "seed" {
		t.Fatalf("parsed canister %s seed %q", k.canister, k.seed)
	}
}
