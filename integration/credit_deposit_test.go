package integration

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid/idl"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/replica/replicatest"
)

// TestCreditDepositCLI: under canistry dev, a user moves cycles from a
// cycles wallet (canisters/test/wallet, speaking dfx's wallet_call128) to
// their credit with `canistry credit deposit`; the wallet holds that much
// less, the credit that much more, and a deposit above what the wallet
// holds is refused with the wallet's reason, changing nothing.
func TestCreditDepositCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	tmp := t.TempDir()
	d := startDev(t, filepath.Join(tmp, "dev"))
	user, userP := newIdentity(t, tmp, "user")

	u, err := url.Parse(d.replica)
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Config{FetchRootKey: true, ClientConfig: []agent.ClientOption{agent.WithHostURL(u)}, PollTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wallet, err := replicatest.CreateWith(a, 10_000_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if err := replicatest.Install(a, wallet, canisters.MustWasm("test/wallet/canister.wasm"), nil, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	balance := func() uint64 {
		var n idl.Nat
		if err := a.Query(wallet, "balance", []any{}, []any{&n}); err != nil {
			t.Fatal(err)
		}
		return n.BigInt().Uint64()
	}
	before := balance()

	out := d.ok(t, user, "credit", "deposit", "2T", "--wallet", wallet.String())
	if !strings.Contains(out, "balance  2000000000000") || !strings.Contains(out, "owner    "+userP) {
		t.Fatalf("credit deposit printed:\n%s", out)
	}
	if out := d.ok(t, user, "credit"); !strings.Contains(out, "balance  2000000000000") {
		t.Errorf("the user's credit after a deposit:\n%s", out)
	}
	// The wallet paid the 2T (and a little for its own messages).
	if after := balance(); after > before-2_000_000_000_000 || after < before-2_100_000_000_000 {
		t.Errorf("the wallet held %d, then %d after depositing 2T", before, after)
	}

	_, errOut, code := d.cli(t, user, "credit", "deposit", "50T", "--wallet", wallet.String())
	if code != 1 || !strings.Contains(errOut, "failed_precondition") || !strings.Contains(errOut, "fewer than") {
		t.Errorf("a deposit above the wallet's balance: exit %d, %s", code, errOut)
	}
	if out := d.ok(t, user, "credit"); !strings.Contains(out, "balance  2000000000000") {
		t.Errorf("a refused deposit changed the credit:\n%s", out)
	}
	if _, errOut, code := d.cli(t, user, "credit", "deposit", "1T"); code != 2 || !strings.Contains(errOut, "--wallet is required") {
		t.Errorf("a deposit without --wallet: exit %d, %s", code, errOut)
	}
}
