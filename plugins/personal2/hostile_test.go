package personal2_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/canisters/hostile"
	"github.com/canistry/canistry/canisters/personal"
	"github.com/canistry/canistry/plugins/personal2"
	"github.com/canistry/canistry/replica"
	"github.com/canistry/canistry/replica/replicatest"
	"github.com/canistry/canistry/sdk/adapter"
	"github.com/canistry/canistry/sdk/adapter/personalv1"
)

// agentIC is the adapter's IC straight over agent-go, without the host.
type agentIC struct {
	a        *agent.Agent
	canister principal.Principal
}

func (ic agentIC) Query(_ context.Context, method string, arg []byte) ([]byte, error) {
	return ic.a.QueryRaw(ic.canister, method, arg)
}

func (ic agentIC) Call(_ context.Context, method string, arg []byte) ([]byte, error) {
	return ic.a.CallRaw(ic.canister, method, arg)
}

// TestHostileRepliesAreRefusedUnread: a canister claiming personal/2.0.0
// that answers with 27,000 nested opts (≈ a minute of agent-go's decoding)
// or a 100 KB number is refused in well under a second, with a short
// message.
func TestHostileRepliesAreRefusedUnread(t *testing.T) {
	r := replicatest.Start(t, replica.Config{})
	a := r.Agent(t, nil)
	for name, reply := range map[string][]byte{
		"27,000 nested opts": hostile.NestedOpts(27_000),
		"a 100 KB number":    hostile.HugeNumber(100_000),
	} {
		wasm, err := hostile.Module("personal/2.0.0", reply)
		if err != nil {
			t.Fatal(err)
		}
		id := replicatest.CreateCanister(t, a)
		if err := replicatest.Install(a, id, wasm, nil, replicatest.ModeInstall); err != nil {
			t.Fatalf("install the hostile canister: %v", err)
		}
		c := adapter.Call{Target: adapter.Target{Canister: id.String(), Protocol: "personal/2.0.0"}, IC: agentIC{a, id}}
		start := time.Now()
		_, err = personal2.New().(personalv1.Server).GetDocument(context.Background(), c, "k")
		took := time.Since(start)
		var ae *adapter.Error
		if !errors.As(err, &ae) || ae.Code != adapter.CodeInternal || !strings.Contains(ae.Message, "refused unread") {
			t.Fatalf("%s: GetDocument = %v; want the SDK's refusal", name, err)
		}
		if len(ae.Message) > 1024 {
			t.Errorf("%s: a refusal of %d bytes", name, len(ae.Message))
		}
		if took > time.Second {
			t.Errorf("%s: refusing took %v", name, took)
		}
		t.Logf("%s (%d bytes): refused in %v: %s", name, len(reply), took, ae.Message)
	}
}

// BenchmarkReadBesideHostile reads a well-behaved 2.0.0 canister through
// the adapter alone, then while four goroutines keep the same adapter busy
// with another well-behaved canister, then with a hostile one (27,000
// nested opts); each reports p50 and p99, in one run. On two cores the busy
// goroutines slow every read alike; a hostile canister must cost no more
// than a well-behaved one:
//
//	go test -run '^$' -bench ReadBesideHostile -benchtime 2000x ./plugins/personal2/
func BenchmarkReadBesideHostile(b *testing.B) {
	r := replicatest.Start(b, replica.Config{})
	a := r.Agent(b, nil)
	good, err := personal.CreateRelease(context.Background(), a, "2.0.0")
	if err != nil {
		b.Fatal(err)
	}
	wasm, err := hostile.Module("personal/2.0.0", hostile.NestedOpts(27_000))
	if err != nil {
		b.Fatal(err)
	}
	bad := replicatest.CreateCanister(b, a)
	if err := replicatest.Install(a, bad, wasm, nil, replicatest.ModeInstall); err != nil {
		b.Fatal(err)
	}
	p := personal2.New().(personalv1.Server)
	call := func(id principal.Principal) adapter.Call {
		return adapter.Call{Target: adapter.Target{Canister: id.String(), Protocol: "personal/2.0.0"}, IC: agentIC{a, id}}
	}
	if _, err := p.PutDocument(context.Background(), call(good), &personalv1.PutDocumentRequest{Key: "k", Content: []byte("v")}); err != nil {
		b.Fatal(err)
	}
	read := func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			if _, err := p.GetDocument(context.Background(), call(good), "k"); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	// beside runs read while four goroutines keep the adapter busy with
	// canister other.
	beside := func(other principal.Principal) func(b *testing.B) {
		return func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for ctx.Err() == nil {
						_, _ = p.GetDocument(ctx, call(other), "k")
					}
				})
			}
			read(b)
			cancel()
			wg.Wait()
		}
	}
	busy, err := personal.CreateRelease(context.Background(), a, "2.0.0")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("alone", read)
	b.Run("beside-well-behaved", beside(busy))
	b.Run("beside-hostile", beside(bad))
}
