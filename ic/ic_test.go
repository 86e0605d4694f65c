package ic_test

import (
	"connectrpc.com/connect"
	"context"
	"errors"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/ic"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// installPersonal creates a personal canister of version v owned by id.
func installPersonal(t *testing.T, r *replicatest.Replica, id identity.Identity, v string) principal.Principal {
	t.Helper()
	cid, err := personal.CreateRelease(t.Context(), r.Agent(t, id), v)
	if err != nil {
		t.Fatalf("install %s: %v", v, err)
	}
	return cid
}

func newClient(t *testing.T, r *replicatest.Replica, id identity.Identity) *ic.Client {
	t.Helper()
	pool, err := ic.NewPool(ic.Config{URL: r.URL, FetchRootKey: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := pool.For(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCanisterInfoAndCalls(t *testing.T) {
	t.Parallel()
	r := replicatest.Start(t, replica.Config{})
	id, _ := identity.NewRandomEd25519Identity()
	c := newClient(t, r, id)
	ctx := context.Background()
	v1 := installPersonal(t, r, id, "1.0.0")
	empty := replicatest.CreateCanister(t, r.Agent(t, id))

	info, err := c.CanisterInfo(ctx, v1)
	if err != nil {
		t.Fatalf("CanisterInfo: %v", err)
	}
	if info.Protocol != "personal/1.0.0" || len(info.ModuleHash) != 32 {
		t.Errorf("CanisterInfo = %q, %x; want personal/1.0.0 and a 32-byte hash", info.Protocol, info.ModuleHash)
	}
	if _, err := c.CanisterInfo(ctx, empty); !errors.Is(err, ic.ErrNoModule) {
		t.Errorf("CanisterInfo(empty) = %v; want ErrNoModule", err)
	}
	unknown := principal.MustDecode("rrkah-fqaaa-aaaaa-aaaaq-cai")
	if _, err := c.CanisterInfo(ctx, unknown); !errors.Is(err, ic.ErrCanisterNotFound) {
		t.Errorf("CanisterInfo(unknown) = %v; want ErrCanisterNotFound", err)
	}

	arg, _ := candid.Marshal([]any{"k", []byte("v")})
	if _, err := c.Call(ctx, v1, "put", arg); err != nil {
		t.Fatalf("put: %v", err)
	}
	getArg, _ := candid.Marshal([]any{"k"})
	reply, err := c.Query(ctx, v1, "get", getArg)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	var got *[]byte
	if err := candid.Unmarshal(reply, []any{&got}); err != nil || got == nil || string(*got) != "v" {
		t.Errorf("get = %v, %v; want v", got, err)
	}
	_, err = c.Query(ctx, v1, "get_document", getArg)
	var rej *ic.Reject
	if !errors.As(err, &rej) || !rej.MethodNotFound() {
		t.Errorf("query of a missing method = %v; want a reject with IC0536", err)
	}
	_, err = c.Call(ctx, v1, "put_document", arg)
	if !errors.As(err, &rej) || rej.RejectCode == 0 {
		t.Errorf("call of a missing method = %v; want a typed reject", err)
	}
	t.Logf("call reject: %+v", rej)
}

func TestRejectCode(t *testing.T) {
	t.Parallel()
	for code, want := range map[uint32]string{1: "internal", 2: "unavailable", 3: "not_found", 4: "failed_precondition", 5: "internal", 6: "unknown", 0: "internal"} {
		if got := (&ic.Reject{RejectCode: code}).Code().String(); got != want {
			t.Errorf("Reject{%d}.Code() = %s, want %s", code, got, want)
		}
	}
}

// TestOversizedCallIsTheRequestsFault: the IC refuses a message over its
// 2 MiB limit with HTTP 413, which is the request's fault (invalid_argument,
// nothing to retry), not an unreachable IC.
func TestOversizedCallIsTheRequestsFault(t *testing.T) {
	t.Parallel()
	r := replicatest.Start(t, replica.Config{})
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, r, id)
	v1 := installPersonal(t, r, id, "1.0.0")
	_, err = c.Call(t.Context(), v1, "put", make([]byte, 3<<20))
	var refused *ic.HTTPError
	if !errors.As(err, &refused) || refused.Status != 413 || refused.Code() != connect.CodeInvalidArgument {
		t.Fatalf("a 3 MiB call = %v; want an HTTPError 413 → invalid_argument", err)
	}
	if len(refused.Error()) > 400 {
		t.Errorf("the refusal is %d bytes long", len(refused.Error()))
	}
}
