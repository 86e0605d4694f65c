package replica

import (
	"errors"
	"time"

	"github.com/aviate-labs/agent-go/principal"

	"github.com/canistry/canistry/replica/httpapi"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// message is an accepted ingress update call waiting for execution.
type message struct {
	req   *httpapi.Request
	entry *ingressEntry
}

// maxRoundMessages bounds a round so that answers are not held back long.
const maxRoundMessages = 64

// schedule executes messages in rounds: take what is queued, execute it,
// commit the round to disk in one transaction, certify the new state, and
// only then answer. Crash between execution and commit and nothing was
// answered; crash after and everything answered is on disk.
func (r *Replica) schedule() {
	defer close(r.stopped)
	prune := time.NewTicker(time.Second)
	defer prune.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-prune.C:
			r.round(nil)
		case m := <-r.queue:
			r.round(r.drain(m))
		}
	}
}

func (r *Replica) drain(first *message) []*message {
	msgs := []*message{first}
	for len(msgs) < maxRoundMessages {
		select {
		case m := <-r.queue:
			msgs = append(msgs, m)
		default:
			return msgs
		}
	}
	return msgs
}

// round is one execution round; see schedule.
func (r *Replica) round(msgs []*message) {
	rd := newRound(r)
	for _, m := range msgs {
		reply, rej := rd.executeIngress(m.req)
		m.entry.outcome = outcomeRecord(m.entry, reply, rej)
		rd.batch.Ingress = append(rd.batch.Ingress, m.entry.outcome)
	}
	rd.finish()
	r.mu.Lock()
	if time.Since(r.lastPrune) > time.Second {
		r.pruneIngressLocked(rd.time, &rd.batch)
		r.lastPrune = time.Now()
	}
	r.mu.Unlock()
	if err := r.store.Commit(&rd.batch); err != nil {
		r.fail(err)
		return
	}
	r.mu.Lock()
	for _, c := range rd.touched {
		r.tree = setCanisterTree(r.tree, c.rec)
	}
	for _, id := range rd.batch.DeletedCanister {
		r.tree = r.tree.Delete([][]byte{labelCanister, id})
	}
	for _, m := range msgs {
		r.tree = setRequestStatus(r.tree, m.entry.outcome)
	}
	err := r.certifyLocked()
	r.mu.Unlock()
	if err != nil {
		r.fail(err)
		return
	}
	for _, m := range msgs {
		close(m.entry.done)
	}
}

// fail stops the replica from accepting work after its state could not be
// made durable: answering anything now would promise what a crash loses.
func (r *Replica) fail(err error) {
	r.log.Error("state could not be committed; the replica stops serving updates", "err", err)
	r.failed.Store(&err)
}

func (r *Replica) failure() error {
	if p := r.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// executeIngress runs one ingress update call to completion within a round.
func (rd *round) executeIngress(req *httpapi.Request) ([]byte, *reject.Error) {
	if isManagement(req.CanisterID) {
		return rd.executeManagement(req.Sender, req.Method, req.Arg)
	}
	return rd.executeUpdate(req.CanisterID, req.Sender, req.Method, req.Arg)
}

func isManagement(p principal.Principal) bool { return len(p.Raw) == 0 }

// asReject turns an error into the reject that answers the message.
func asReject(err error) *reject.Error {
	if err == nil {
		return nil
	}
	var rej *reject.Error
	if errors.As(err, &rej) {
		return rej
	}
	return reject.New(reject.CanisterWasmEngineError, "%v", err)
}

// round is the working state of one scheduler round.
type round struct {
	r       *Replica
	time    uint64 // ns, the same for every message of the round
	batch   state.Batch
	touched map[string]*canister
}

func newRound(r *Replica) *round {
	r.mu.Lock()
	t := r.nowLocked()
	r.mu.Unlock()
	return &round{r: r, time: t, touched: make(map[string]*canister), batch: state.Batch{Modules: map[string][]byte{}}}
}

// touch marks a canister whose record must be written and whose part of the
// state tree must be rebuilt after the round.
func (rd *round) touch(c *canister) {
	rd.touched[string(c.rec.ID)] = c
}

// finish adds the records of touched canisters to the batch.
func (rd *round) finish() {
	for _, c := range rd.touched {
		rd.batch.Canisters = append(rd.batch.Canisters, c.rec)
	}
}
