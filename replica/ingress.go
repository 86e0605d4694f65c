package replica

import (
	"fmt"
	"time"

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
		if in.Expiry < now || len(in.ID) != 32 {
			pruned = append(pruned, in.ID)
			continue
		}
		e := &ingressEntry{sender: in.Sender, effective: in.Effective, expiry: in.Expiry, done: make(chan struct{}), outcome: in}
		copy(e.id[:], in.ID)
		close(e.done)
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
