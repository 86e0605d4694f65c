package replica_test

import (
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters"
	personal "github.com/canistry/canistry/internal/candid/personal_2_0_0"
	"github.com/canistry/canistry/internal/testwait"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
)

// fastEviction evicts an instance once it idles for 20 ms.
var fastEviction = replica.Config{EvictIdleAfter: 20 * time.Millisecond}

// personalWasm is the personal canister the fleet runs.
var personalWasm = canisters.MustWasm("personal/2.0.0/canister.wasm")

type document = personal.Document

// installPersonal creates a canister running personal/2.0.0 owned by a.
func installPersonal(t testing.TB, a *agent.Agent) principal.Principal {
	t.Helper()
	id := replicatest.CreateCanister(t, a)
	arg, err := candid.Marshal([]any{struct {
		Owner principal.Principal `ic:"owner"`
	}{a.Sender()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := replicatest.Install(a, id, personalWasm, arg, replicatest.ModeInstall); err != nil {
		t.Fatalf("install personal: %v", err)
	}
	return id
}

func putDocument(t testing.TB, a *agent.Agent, id principal.Principal, key, content string) {
	t.Helper()
	var res personal.PutResult
	if err := a.Call(id, "put_document", []any{key, []byte(content), "text/plain", (*idl.Nat)(nil)}, []any{&res}); err != nil {
		t.Fatalf("put_document %s: %v", key, err)
	}
	if res.Ok == nil {
		t.Fatalf("put_document %s refused: %+v", key, res.Err)
	}
}

func getDocument(t testing.TB, a *agent.Agent, id principal.Principal, key string) *document {
	t.Helper()
	var doc *document
	if err := a.Query(id, "get_document", []any{key}, []any{&doc}); err != nil {
		t.Fatalf("get_document %s: %v", key, err)
	}
	return doc
}

// waitEvicted waits until eviction has closed every instance, at least
// `after` of them counted since Open.
func waitEvicted(t *testing.T, r *replicatest.Replica, after uint64) {
	t.Helper()
	testwait.For(t, 20*time.Second, "every instance is evicted", func() bool {
		return r.LiveInstances() == 0 && r.Evictions() > after
	})
}

func checkDocument(t *testing.T, a *agent.Agent, id principal.Principal, key, content string, revision uint64) {
	t.Helper()
	doc := getDocument(t, a, id, key)
	if doc == nil || string(doc.Content) != content || doc.Revision.BigInt().Uint64() != revision {
		t.Fatalf("document %s = %+v; want %q at revision %d", key, doc, content, revision)
	}
}

// An evicted personal canister answers queries and updates with all its
// documents, as after a restart.
func TestEvictedPersonalCanisterKeepsItsDocuments(t *testing.T) {
	r := replicatest.Start(t, fastEviction)
	a := r.Agent(t, nil)
	id := installPersonal(t, a)
	putDocument(t, a, id, "notes/1", "one")
	putDocument(t, a, id, "notes/2", "two")
	putDocument(t, a, id, "notes/1", "one, again")
	waitEvicted(t, r, 0)
	ev := r.Evictions()
	checkDocument(t, a, id, "notes/1", "one, again", 2)
	checkDocument(t, a, id, "notes/2", "two", 1)
	waitEvicted(t, r, ev)
	ev = r.Evictions()
	putDocument(t, a, id, "notes/2", "two, again") // an update on an evicted canister
	waitEvicted(t, r, ev)
	checkDocument(t, a, id, "notes/1", "one, again", 2)
	checkDocument(t, a, id, "notes/2", "two, again", 2)
	if doc := getDocument(t, a, id, "notes/3"); doc != nil {
		t.Fatalf("notes/3 = %+v; want none", doc)
	}
}

// The Motoko counter keeps its count (heap and globals) across evictions.
func TestEvictedCounterKeepsCounting(t *testing.T) {
	r := replicatest.Start(t, fastEviction)
	a := r.Agent(t, nil)
	id := installCounter(t, a)
	for want := uint64(1); want <= 3; want++ {
		ev := r.Evictions()
		if got := inc(t, a, id); got != want {
			t.Fatalf("inc = %d, want %d", got, want)
		}
		waitEvicted(t, r, ev)
		if got := get(t, a, id); got != want {
			t.Fatalf("get after eviction = %d, want %d", got, want)
		}
	}
}

// A canister's timer fires on the instance restored after its eviction.
func TestTimersFireAfterEviction(t *testing.T) {
	r := replicatest.Start(t, fastEviction)
	a := r.Agent(t, nil)
	ticker := installTicker(t, a)
	if err := a.Call(ticker, "start", []any{idl.NewNat(uint64(100 * time.Millisecond))}, nil); err != nil {
		t.Fatalf("start: %v", err)
	}
	for range 3 {
		ev := r.Evictions()
		waitEvicted(t, r, ev)
		// Reading the count restores the instance, but after a tick the
		// timer is what restores it: the count must go on rising.
		n := ticks(t, a, ticker)
		testwait.For(t, 20*time.Second, "the evicted ticker ticks", func() bool { return ticks(t, a, ticker) > n })
	}
}

// With a cap, the least recently used instances are closed, and every
// canister still answers.
func TestMaxLiveInstances(t *testing.T) {
	r := replicatest.Start(t, replica.Config{EvictIdleAfter: -1, MaxLiveInstances: 2})
	a := r.Agent(t, nil)
	ids := make([]principal.Principal, 4)
	for i := range ids {
		ids[i] = installCounter(t, a)
		inc(t, a, ids[i])
	}
	testwait.For(t, 20*time.Second, "at most 2 live instances", func() bool { return r.LiveInstances() <= 2 })
	for _, id := range ids {
		if got := get(t, a, id); got != 1 {
			t.Fatalf("get = %d, want 1", got)
		}
	}
	testwait.For(t, 20*time.Second, "at most 2 live instances", func() bool { return r.LiveInstances() <= 2 })
}

// A negative cap is refused.
func TestNegativeMaxLiveInstancesIsRefused(t *testing.T) {
	_, err := replica.Open(replica.Config{StateDir: t.TempDir(), MaxLiveInstances: -1, Logger: replicatest.Quiet})
	if err == nil {
		t.Fatal("Open accepted MaxLiveInstances -1")
	}
}
