package replica

import (
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/replica/reject"

	"github.com/canistry/canistry/replica/state"
)

// ingressEntry is an update call the replica accepted. Its id stays known
// until the request expires, so a replay is answered, never executed again.
type ingressEntry struct {
	id        [32]byte
	sender    []byte
	effective []byte
	expiry    uint64
	// done is closed once the outcome is durable and certified.
	done    chan struct{}
	outcome *state.Ingress
}

func (r *Replica) loadIngress() error {
	recs, err := r.store.Ingress()
	if err != nil {
		return fmt.Errorf("load ingress history: %w", err)
	}
	now := uint64(time.Now().UnixNano())
	var pruned [][]byte
	for _, in := range recs {
		if (in.Expiry < now && in.Status != statusProcessing) || len(in.ID) != 32 {
			pruned = append(pruned, in.ID)
			continue
		}
		e := &ingressEntry{sender: in.Sender, effective: in.Effective, expiry: in.Expiry, done: make(chan struct{})}
		copy(e.id[:], in.ID)
		if in.Status != statusProcessing {
			// Still processing: a call context will answer it in a later round.
			e.outcome = in
			close(e.done)
		}
		r.ingress[e.id] = e
		r.tree = setRequestStatus(r.tree, in)
	}
	return r.store.Commit(&state.Batch{IngressPruned: pruned})
}

// pruneIngressLocked forgets finished requests whose expiry has passed: no
// valid envelope can carry their ids any more. Callers hold r.mu.
func (r *Replica) pruneIngressLocked(now uint64, b *state.Batch) {
	for id, e := range r.ingress {
		if e.expiry >= now || e.outcome == nil {
			continue
		}
		delete(r.ingress, id)
		r.tree = r.tree.Delete([][]byte{labelRequestStatus, id[:]})
		b.IngressPruned = append(b.IngressPruned, append([]byte(nil), id[:]...))
	}
}

// processingRecord is the record of an ingress call that is executing: it
// keeps the request id known, and certified as processing, until answered.
func processingRecord(e *ingressEntry) *state.Ingress {
	return &state.Ingress{ID: e.id[:], Sender: e.sender, Effective: e.effective, Expiry: e.expiry, Status: statusProcessing}
}

// finishIngress records the answer of an ingress call; it is published when
// the round is durable.
func (rd *round) finishIngress(id []byte, reply []byte, rej *reject.Error) {
	var key [32]byte
	copy(key[:], id)
	rd.r.mu.Lock()
	e := rd.r.ingress[key]
	rd.r.mu.Unlock()
	if e == nil || e.outcome != nil {
		return
	}
	e.outcome = outcomeRecord(e, reply, rej)
	rd.batch.Ingress = append(rd.batch.Ingress, e.outcome)
	rd.answered = append(rd.answered, e)
}

// loadQueue restores the inter-canister messages a previous run had queued.
func (r *Replica) loadQueue() error {
	raw, err := r.store.Meta(metaQueue)
	if err != nil || raw == nil {
		return err
	}
	if err := cbor.Unmarshal(raw, &r.pending); err != nil {
		return fmt.Errorf("decode message queue: %w", err)
	}
	return nil
}
