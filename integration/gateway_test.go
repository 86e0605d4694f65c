package integration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/internal/testwait"
)

// TestGatewayScenario is issue 5's scenario with real processes: `canistry
// dev` (replica, gateway, adapter plugin processes) and the admin CLI,
// driven by one Connect client.
func TestGatewayScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev")
	}
	d := startDev(t, t.TempDir())
	// The banner's delegation covers the dev canisters; the scenario also
	// creates canisters, so it delegates to every canister.
	c := newClient(d.gateway, d.session(t))
	t.Run("same client code for every version", func(t *testing.T) { sameClientCode(t, newClient(d.gateway, d.delegation), d) })
	t.Run("upgrade while the client keeps calling", func(t *testing.T) { upgradeUnderLoad(t, c, d) })
	t.Run("bad requests", func(t *testing.T) { badRequests(t, c, d) })
	t.Run("adapter killed under load", func(t *testing.T) { killAdapterUnderLoad(t, c, d) })
}

func sameClientCode(t *testing.T, c *client, d *devProcess) {
	ctx := context.Background()
	for _, v := range []string{"1.0.0", "2.0.0", "3.0.0"} {
		cid := d.canisters[v]
		if _, proto, err := c.put(ctx, cid, "greeting", "hello "+v, nil); err != nil || proto != "personal/"+v {
			t.Fatalf("personal/%s put: %v (%s)", v, err, proto)
		}
		doc, proto, err := c.get(ctx, cid, "greeting")
		if err != nil || string(doc.GetContent()) != "hello "+v || proto != "personal/"+v {
			t.Fatalf("personal/%s get = %v, %q, %v", v, doc, proto, err)
		}
		docs, err := c.all(ctx, cid, "greet")
		if err != nil || len(docs) != 1 {
			t.Fatalf("personal/%s list = %v, %v", v, docs, err)
		}
		desc, err := c.c.Describe(ctx, at(cid, &personalv1.DescribeRequest{}))
		if err != nil || desc.Msg.GetProtocol() != "personal/"+v {
			t.Fatalf("personal/%s describe = %v, %v", v, desc, err)
		}
	}
}

// upgradeUnderLoad writes documents to a 1.0.0 canister and reads them
// back continuously while the canister is upgraded to 2.0.0. Every read
// must be answered, every acknowledged write must survive, and then the
// 2.0-only conditional write works.
func upgradeUnderLoad(t *testing.T, c *client, d *devProcess) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cid := d.admin(t, "create", "--protocol", "1.0.0")
	var (
		mu        sync.Mutex
		written   []string
		stop      atomic.Bool
		upgraded  atomic.Bool
		readErrs  []error
		reads     atomic.Int64
		readsOnV2 atomic.Int64
		retries   atomic.Int64
		wg        sync.WaitGroup
		// firstWrite is closed once a document is there to read back.
		firstWrite = make(chan struct{})
	)
	wg.Add(2)
	go func() { // the writer: one document after another, retrying Unavailable
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			key := fmt.Sprintf("doc-%04d", i)
			for {
				_, _, err := c.put(ctx, cid, key, "content of "+key, nil)
				if err == nil {
					mu.Lock()
					written = append(written, key)
					mu.Unlock()
					if i == 0 {
						close(firstWrite)
					}
					break
				}
				if connect.CodeOf(err) != connect.CodeUnavailable || stop.Load() {
					t.Errorf("put %s: %v", key, err)
					return
				}
				retries.Add(1)
			}
		}
	}()
	go func() { // the reader: reads back what was written
		defer wg.Done()
		select {
		case <-firstWrite:
		case <-ctx.Done():
			return
		}
		for i := 0; !stop.Load(); i++ {
			mu.Lock()
			key := written[i%len(written)]
			mu.Unlock()
			doc, proto, err := c.get(ctx, cid, key)
			reads.Add(1)
			if err != nil || string(doc.GetContent()) != "content of "+key {
				mu.Lock()
				readErrs = append(readErrs, fmt.Errorf("get %s: %v (%v)", key, err, doc))
				mu.Unlock()
				continue
			}
			if upgraded.Load() && proto == "personal/2.0.0" {
				readsOnV2.Add(1)
			}
		}
	}()
	waitFor(t, 30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(written) >= 10 })
	t.Log(d.admin(t, "upgrade", cid, "--to", "2.0.0"))
	upgraded.Store(true)
	waitFor(t, 30*time.Second, func() bool { return readsOnV2.Load() >= 20 })
	// Keep writing on 2.0.0 for a while: ten more acknowledged documents.
	mu.Lock()
	onV2 := len(written)
	mu.Unlock()
	waitFor(t, 30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(written) >= onV2+10 })
	stop.Store(true)
	wg.Wait()

	t.Logf("%d documents written (%d writes retried after Unavailable), %d reads, %d on personal/2.0.0", len(written), retries.Load(), reads.Load(), readsOnV2.Load())
	if len(readErrs) > 0 {
		t.Errorf("%d of %d reads failed; first: %v", len(readErrs), reads.Load(), readErrs[0])
	}
	all, err := c.all(ctx, cid, "doc-")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range written {
		if all[k] != "content of "+k {
			t.Errorf("document %s lost across the upgrade (have %q)", k, all[k])
		}
	}
	// A 2.0-only feature, through the same client: conditional writes.
	doc, _, err := c.get(ctx, cid, written[0])
	if err != nil || doc.GetRevision() != 1 {
		t.Fatalf("get after upgrade = %v, %v; want revision 1", doc, err)
	}
	rev := doc.GetRevision()
	if doc, proto, err := c.put(ctx, cid, written[0], "v2", &rev); err != nil || doc.GetRevision() != 2 || proto != "personal/2.0.0" {
		t.Errorf("conditional put at revision 1 = %v, %s, %v; want revision 2 on personal/2.0.0", doc, proto, err)
	}
	if _, _, err := c.put(ctx, cid, written[0], "stale", &rev); connect.CodeOf(err) != connect.CodeAborted {
		t.Errorf("conditional put at a stale revision = %v; want Aborted", err)
	}
}

func badRequests(t *testing.T, c *client, d *devProcess) {
	ctx := context.Background()
	rev := uint64(0)
	get := func(header string) error {
		req := connect.NewRequest(&personalv1.GetDocumentRequest{Key: "k"})
		if header != "" {
			req.Header().Set("Canistry-Canister", header)
		}
		_, err := c.c.GetDocument(ctx, req)
		return err
	}
	tests := map[string]struct {
		err  error
		code connect.Code
		msg  string
	}{
		"missing header":   {get(""), connect.CodeInvalidArgument, "missing header Canistry-Canister"},
		"malformed":        {get("not-a-principal"), connect.CodeInvalidArgument, `"not-a-principal" is not a textual principal`},
		"unknown canister": {get("rrkah-fqaaa-aaaaa-aaaaq-cai"), connect.CodeNotFound, "canister rrkah-fqaaa-aaaaa-aaaaq-cai does not exist"},
		"if_revision on 1.0.0": {func() error {
			_, _, err := c.put(ctx, d.canisters["1.0.0"], "k", "v", &rev)
			return err
		}(), connect.CodeFailedPrecondition, "requires personal/2.0.0"},
	}
	for name, tc := range tests {
		var ce *connect.Error
		if !errors.As(tc.err, &ce) || ce.Code() != tc.code || !strings.Contains(ce.Message(), tc.msg) {
			t.Errorf("%s: %v; want %v with %q", name, tc.err, tc.code, tc.msg)
		}
	}
	var ce *connect.Error
	errors.As(tests["if_revision on 1.0.0"].err, &ce)
	for _, det := range ce.Details() {
		if v, err := det.Value(); err == nil {
			if ve, ok := v.(*personalv1.VersionError); ok {
				if ve.GetRequired() != "personal/2.0.0" || ve.GetCapability() != personalv1.Capability_CAPABILITY_CONDITIONAL_WRITES {
					t.Errorf("VersionError = %v", ve)
				}
				return
			}
		}
	}
	t.Error("if_revision on 1.0.0: no VersionError detail")
}

// killAdapterUnderLoad kills the personal2 adapter process while eight
// clients read through it: the host restarts it, in-flight queries are
// retried once, and the run goes on without a failed read.
func killAdapterUnderLoad(t *testing.T, c *client, d *devProcess) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cid := d.canisters["2.0.0"]
	if _, _, err := c.put(ctx, cid, "hot", "hot document", nil); err != nil {
		t.Fatal(err)
	}
	pid := d.adapterPID(t, "personal2")
	if pid == 0 {
		t.Fatal("no personal2 adapter process found")
	}
	var stop atomic.Bool
	var ok, failed, afterKill atomic.Int64
	var killed atomic.Bool
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				doc, _, err := c.get(ctx, cid, "hot")
				if err != nil || string(doc.GetContent()) != "hot document" {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprint(err))
					continue
				}
				ok.Add(1)
				if killed.Load() {
					afterKill.Add(1)
				}
			}
		}()
	}
	waitFor(t, 20*time.Second, func() bool { return ok.Load() >= 50 })
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed.Store(true)
	waitFor(t, 30*time.Second, func() bool { return afterKill.Load() >= 100 })
	stop.Store(true)
	wg.Wait()
	newPID := d.adapterPID(t, "personal2")
	t.Logf("reads: %d ok (%d after the kill), %d failed; adapter pid %d → %d", ok.Load(), afterKill.Load(), failed.Load(), pid, newPID)
	if failed.Load() > 0 {
		t.Errorf("%d reads failed across the adapter crash; first: %v", failed.Load(), firstErr.Load())
	}
	if newPID == 0 || newPID == pid {
		t.Errorf("adapter pid after the kill = %d; want a restarted process", newPID)
	}
	if !strings.Contains(d.stderr.String(), "adapter restarted") {
		t.Errorf("dev logs do not mention the restart:\n%s", d.stderr)
	}
}

func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	testwait.For(t, limit, "condition", cond)
}

// TestDevRestartReusesState: a second `canistry dev` on the same state
// dir reuses the identity, the replica's state, the registry with its
// releases and the canisters.
func TestDevRestartReusesState(t *testing.T) {
	if testing.Short() {
		t.Skip("starts canistry dev twice")
	}
	dir := t.TempDir()
	first := startDev(t, dir)
	ctx := context.Background()
	if _, _, err := newClient(first.gateway, first.delegation).put(ctx, first.canisters["1.0.0"], "kept", "across restarts", nil); err != nil {
		t.Fatal(err)
	}
	first.stop()
	second := startDev(t, dir)
	for v, id := range first.canisters {
		if second.canisters[v] != id {
			t.Errorf("personal/%s: canister %s after the restart, %s before", v, second.canisters[v], id)
		}
	}
	// The gateway key is kept too: the first run's delegation still works.
	doc, _, err := newClient(second.gateway, first.delegation).get(ctx, second.canisters["1.0.0"], "kept")
	if err != nil || string(doc.GetContent()) != "across restarts" {
		t.Errorf("document after the restart = %v, %v", doc, err)
	}
	if second.gatewayKey != first.gatewayKey {
		t.Errorf("gateway key changed across restarts: %s, then %s", first.gatewayKey, second.gatewayKey)
	}
	if second.registry != first.registry || first.registry == "" {
		t.Errorf("registry %q after the restart, %q before", second.registry, first.registry)
	}
	if strings.Contains(second.stderr.String(), "installing") || strings.Contains(second.stderr.String(), "publishing") ||
		strings.Contains(second.stderr.String(), "waiver") {
		t.Errorf("the restart installed or published again:\n%s", second.stderr)
	}
}
