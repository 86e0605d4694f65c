package gateway_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	personalv1 "github.com/canistry/canistry/internal/gen/canistry/personal/v1"
	"github.com/canistry/canistry/replica"
)

// TestNodeKeyRotation: the replica restarts on the same state with a new
// node key (its certified node list changes, as when the IC replaces a
// node) while clients read through a running gateway. The gateway, which
// verifies answers against cached node keys, picks the new key up by
// itself: no read fails, before, during or after the restart.
func TestNodeKeyRotation(t *testing.T) {
	e := newEnv(t, []string{"personal2"}, "2.0.0")
	cid := e.canister["2.0.0"]
	c := e.client_()
	ctx := context.Background()
	content := []byte("survives the node's new key")
	if _, err := c.PutDocument(ctx, to(cid, &personalv1.PutDocumentRequest{Key: "k", Content: content})); err != nil {
		t.Fatal(err)
	}
	oldNode, _ := e.replica.SignQueryResponse([32]byte{})
	rootKey := e.replica.RootKey()

	var reads atomic.Int64
	progress := make(chan struct{}, 1) // a read finished
	stop := make(chan struct{})
	var failed []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.GetDocument(ctx, to(cid, &personalv1.GetDocumentRequest{Key: "k"}))
				if err == nil && !bytes.Equal(resp.Msg.GetDocument().GetContent(), content) {
					t.Errorf("read %q", resp.Msg.GetDocument().GetContent())
				}
				if err != nil {
					mu.Lock()
					failed = append(failed, err)
					mu.Unlock()
				}
				reads.Add(1)
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		}()
	}
	// waitReads waits for n more reads than at its call.
	waitReads := func(n int64) {
		t.Helper()
		target := reads.Load() + n
		deadline := time.After(30 * time.Second)
		for reads.Load() < target {
			select {
			case <-progress:
			case <-deadline:
				t.Fatalf("only %d of %d reads within 30s", reads.Load(), target)
			}
		}
	}
	waitReads(20) // the gateway has the old node's key cached
	e.replica.Restart(t, replica.Config{NewNodeKey: true})
	waitReads(50)
	close(stop)
	wg.Wait()

	newNode, _ := e.replica.SignQueryResponse([32]byte{})
	if newNode.String() == oldNode.String() {
		t.Fatalf("the replica still signs as node %s: no new node key", oldNode)
	}
	if !bytes.Equal(e.replica.RootKey(), rootKey) {
		t.Fatal("the new node key changed the root key")
	}
	if len(failed) > 0 {
		t.Fatalf("%d of %d reads failed across the node key change; first: %v", len(failed), reads.Load(), failed[0])
	}
	t.Logf("%d reads, none failed; node %s → %s", reads.Load(), oldNode, newNode)
}
