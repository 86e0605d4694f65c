package gotest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/internal/candid/personal_3_0_0"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// The protocol versions, in release order.
const (
	v1 = "1.0.0"
	v2 = "2.0.0"
	v3 = "3.0.0"
)

// Errors the replica and the canister answer with, as the README documents them.
const (
	inspectRefused   = "canister_inspect_message explicitly refused message"
	notOwner         = "is not the owner of this canister"
	incompatibleEOP  = "Memory-incompatible program upgrade"
	migratedType     = "application/octet-stream"
	messagingVersion = "messages need personal/3.0.0 or later"
)

// env is one replica with two users: owner, who controls every canister the
// test creates and is the owner named in their init argument, and stranger.
type env struct {
	t        *testing.T
	owner    *agent.Agent
	stranger *agent.Agent
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := replicatest.Start(t, replica.Config{})
	return &env{t: t, owner: r.Agent(t, nil), stranger: r.Agent(t, nil)}
}

func wasmOf(version string) []byte { return personal.MustWasm(version) }

// initArg is the Candid install/upgrade argument (record { owner }).
func initArg(t testing.TB, owner principal.Principal) []byte {
	t.Helper()
	arg, err := personal.EncodeInitArg(owner)
	if err != nil {
		t.Fatal(err)
	}
	return arg
}

// install creates a canister and installs the personal canister of version
// on it, owned by e.owner.
func (e *env) install(version string) principal.Principal {
	e.t.Helper()
	id, err := personal.Create(e.t.Context(), e.owner)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.installOwnedBy(id, version, e.owner.Sender()); err != nil {
		e.t.Fatalf("install personal/%s: %v", version, err)
	}
	return id
}

// installOwnedBy installs version on the empty canister id with owner in the
// init argument.
func (e *env) installOwnedBy(id principal.Principal, version string, owner principal.Principal) error {
	return personal.Install(e.t.Context(), e.owner, id, wasmOf(version), owner)
}

// upgrade upgrades id to version with wasm_memory_persistence = keep and the
// init argument again, as the README requires.
func (e *env) upgrade(id principal.Principal, version string) error {
	return e.upgradeWasm(id, wasmOf(version))
}

func (e *env) upgradeWasm(id principal.Principal, wasm []byte) error {
	if err := personal.Upgrade(e.t.Context(), e.owner, id, wasm); err != nil {
		return fmt.Errorf("upgrade %s: %w", id, err)
	}
	return nil
}

func (e *env) mustUpgrade(id principal.Principal, version string) {
	e.t.Helper()
	if err := e.upgrade(id, version); err != nil {
		e.t.Fatalf("upgrade to personal/%s: %v", version, err)
	}
}

// call is an update call decoding the single result into T.
func call[T any](a *agent.Agent, id principal.Principal, method string, args ...any) (T, error) {
	var out T
	err := a.Call(id, method, args, []any{&out})
	return out, err
}

// query is a query call (signatures verified) decoding the single result into T.
func query[T any](a *agent.Agent, id principal.Principal, method string, args ...any) (T, error) {
	var out T
	err := a.Query(id, method, args, []any{&out})
	return out, err
}

func mustCall[T any](t testing.TB, a *agent.Agent, id principal.Principal, method string, args ...any) T {
	t.Helper()
	out, err := call[T](a, id, method, args...)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return out
}

func mustQuery[T any](t testing.TB, a *agent.Agent, id principal.Principal, method string, args ...any) T {
	t.Helper()
	out, err := query[T](a, id, method, args...)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return out
}

// callUnit is an update call of a method that returns ().
func callUnit(a *agent.Agent, id principal.Principal, method string, args ...any) error {
	return a.Call(id, method, args, []any{})
}

// wantErr fails unless err is non-nil and mentions every part.
func wantErr(t testing.TB, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want an error mentioning %q", what, parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("%s: error %q does not mention %q", what, err, p)
		}
	}
}

func nat(n uint64) idl.Nat { return idl.NewNat(n) }

// optNat is an `opt nat` argument: nil is null.
func optNat(n uint64) *idl.Nat {
	v := idl.NewNat(n)
	return &v
}

var noNat *idl.Nat

func u64(n idl.Nat) uint64 { return n.BigInt().Uint64() }

// nowNanos is the local clock in ns since the epoch, for bounds on
// updated_at and similar times (the replica runs on the same clock).
func nowNanos() int64 { return time.Now().UnixNano() }

func protocolOf(t testing.TB, a *agent.Agent, id principal.Principal) string {
	t.Helper()
	return mustQuery[string](t, a, id, "protocol")
}

// waitFor polls cond every 100 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func candidArgs(args []any) ([]byte, error) {
	raw, err := candid.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode arguments: %w", err)
	}
	return raw, nil
}

func candidUnmarshal(raw []byte, out []any) error {
	if err := candid.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode reply: %w", err)
	}
	return nil
}

func intOf(n int64) idl.Int { return idl.NewInt(n) }

// natEqual and intEqual let go-cmp compare idl.Nat and idl.Int by value
// (their big.Int is unexported).
func natEqual(x, y idl.Nat) bool { return x.BigInt().Cmp(y.BigInt()) == 0 }

func intEqual(x, y idl.Int) bool { return x.BigInt().Cmp(y.BigInt()) == 0 }

// inParallel runs do(0..n-1) with a few calls in flight at once, so that
// hundreds of calls take a few replica rounds each instead of one round per
// call, and fails the test on the first error.
func inParallel(t testing.TB, n int, do func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// idlNat is idl.Nat, for vec nat arguments and nat results.
type idlNat = idl.Nat

// The Candid types are the generated bindings of 3.0.0 (internal/candid);
// 2.0.0's document types are the same Candid (check.mjs verifies it), so
// they serve the 2.0.0 tests too.
type (
	Document      = personal_3_0_0.Document
	WriteError    = personal_3_0_0.WriteError
	PutResult     = personal_3_0_0.PutResult
	DocumentPage  = personal_3_0_0.DocumentPage
	Grant         = personal_3_0_0.Grant
	Envelope      = personal_3_0_0.Envelope
	SendResult    = personal_3_0_0.SendResult
	DeliverResult = personal_3_0_0.DeliverResult
	InboxMessage  = personal_3_0_0.InboxMessage
	InboxPage     = personal_3_0_0.InboxPage
	OutboxMessage = personal_3_0_0.OutboxMessage
	RetrySummary  = personal_3_0_0.RetrySummary
	// UnitResult is DeleteResult and GrantResult, both
	// variant { ok; err : WriteError }.
	UnitResult = personal_3_0_0.DeleteResult
)
