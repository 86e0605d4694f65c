package delegated_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/ic/delegated"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

type document struct {
	Key         string  `ic:"key"`
	Content     []byte  `ic:"content"`
	ContentType string  `ic:"content_type"`
	Revision    idl.Nat `ic:"revision"`
	UpdatedAt   idl.Int `ic:"updated_at"`
}

// world is a replica with a personal/2.0.0 canister owned by user and
// controlled by admin, and a Sender whose session key is gateway's.
type world struct {
	replica  *replicatest.Replica
	sender   *delegated.Sender
	gateway  identity.Identity
	canister principal.Principal
}

func newWorld(t testing.TB, owner principal.Principal) *world {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	cid := replicatest.CreateCanister(t, a)
	arg, _ := candid.Marshal([]any{struct {
		Owner principal.Principal `ic:"owner"`
	}{owner}})
	if err := replicatest.Install(a, cid, canisters.MustWasm("personal/2.0.0/canister.wasm"), arg, replicatest.ModeInstall); err != nil {
		t.Fatal(err)
	}
	pool, err := ic.NewPool(ic.Config{URL: r.URL, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	gw := ed25519ID(t)
	base, err := pool.For(gw)
	if err != nil {
		t.Fatal(err)
	}
	return &world{replica: r, sender: delegated.NewSender(base, gw), gateway: gw, canister: cid}
}

func put(ctx context.Context, c interface {
	Call(context.Context, principal.Principal, string, []byte) ([]byte, error)
}, cid principal.Principal, key, content string) error {
	arg, _ := candid.Marshal([]any{key, []byte(content), "text/plain", (*idl.Nat)(nil)})
	// The reply is not decoded: the read back checks what was written, and
	// a caller who is not the owner is refused before the method runs.
	_, err := c.Call(ctx, cid, "put_document", arg)
	return err
}

func get(ctx context.Context, c *delegated.Caller, cid principal.Principal, key string) (*document, error) {
	arg, _ := candid.Marshal([]any{key})
	reply, err := c.Query(ctx, cid, "get_document", arg)
	if err != nil {
		return nil, err
	}
	var doc *document
	if err := candid.Unmarshal(reply, []any{&doc}); err != nil {
		return nil, err
	}
	return doc, nil
}

// TestCallsAsTheUser: the canister sees the chain's user as the caller,
// for updates and queries, with every user key type.
func TestCallsAsTheUser(t *testing.T) {
	ctx := context.Background()
	for name, user := range userKeys(t) {
		w := newWorld(t, user.Sender())
		chain, err := delegated.Delegate(user, w.gateway.PublicKey(), time.Now().Add(time.Hour), []principal.Principal{w.canister}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := w.sender.As(chain)
		if err := put(ctx, c, w.canister, "k", "as "+name); err != nil {
			t.Fatalf("%s: put: %v", name, err)
		}
		doc, err := get(ctx, c, w.canister, "k")
		if err != nil || doc == nil || string(doc.Content) != "as "+name {
			t.Fatalf("%s: get = %v, %v", name, doc, err)
		}
		if c.Sender().String() != user.Sender().String() {
			t.Errorf("%s: caller acts as %s", name, c.Sender())
		}
	}
}

// TestOwnCallsAsTheSessionKey: without a chain the caller is the key.
func TestOwnCallsAsTheSessionKey(t *testing.T) {
	ctx := context.Background()
	owner := ed25519ID(t)
	w := newWorld(t, owner.Sender())
	own := w.sender.Own()
	if own.Sender().String() != w.gateway.Sender().String() {
		t.Fatalf("Own acts as %s", own.Sender())
	}
	// The session key does not own the canister: refused by its owner check.
	var rej *ic.Reject
	if err := put(ctx, own, w.canister, "k", "x"); !errors.As(err, &rej) {
		t.Errorf("own key on the owner's canister: %v, want a reject", err)
	}
	if doc, err := get(ctx, own, w.canister, "k"); err == nil && doc != nil {
		t.Errorf("own key read %v", doc)
	}
}

// TestTheICHasTheLastWord: what the gateway would refuse, the IC refuses
// too — a stranger's chain is no owner, a chain outside its targets or
// not ending at the session key never runs.
func TestTheICHasTheLastWord(t *testing.T) {
	ctx := context.Background()
	owner, stranger := ed25519ID(t), ed25519ID(t)
	w := newWorld(t, owner.Sender())
	hour := time.Now().Add(time.Hour)

	strangers, _ := delegated.Delegate(stranger, w.gateway.PublicKey(), hour, nil, nil)
	var rej *ic.Reject
	if err := put(ctx, w.sender.As(strangers), w.canister, "k", "x"); !errors.As(err, &rej) {
		t.Errorf("a stranger's chain writing to the owner's canister: %v, want a reject", err)
	} else {
		t.Logf("stranger refused: %v", rej)
	}

	elsewhere, _ := delegated.Delegate(owner, w.gateway.PublicKey(), hour, []principal.Principal{principal.MustDecode("aaaaa-aa")}, nil)
	var refused *delegated.RefusedError
	if _, err := get(ctx, w.sender.As(elsewhere), w.canister, "k"); !errors.As(err, &refused) || !strings.Contains(refused.Message, "not one of the delegation targets") {
		t.Errorf("outside targets: %v", err)
	}

	otherKey, _ := delegated.Delegate(owner, ed25519ID(t).PublicKey(), hour, nil, nil)
	if _, err := get(ctx, w.sender.As(otherKey), w.canister, "k"); !errors.As(err, &refused) {
		t.Errorf("chain to another key: %v", err)
	}
}
