package replica

import (
	"errors"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"

	"github.com/canistry/canistry/replica/cycles"
	"github.com/canistry/canistry/replica/httpapi"
	"github.com/canistry/canistry/replica/reject"
	"github.com/canistry/canistry/replica/state"
)

// message is an accepted ingress update call waiting for execution.
type message struct {
	req   *httpapi.Request
	entry *ingressEntry
}

const (
	// maxRoundMessages bounds the ingress messages of one round.
	maxRoundMessages = 64
	// maxRoundInternal bounds the inter-canister messages of one round, so
	// that a chatty pair of canisters cannot hold back answers forever.
	maxRoundInternal = 2000
	// tick is how often the scheduler looks for due timers and queued work.
	tick = 10 * time.Millisecond
	// metaQueue is where the queue of inter-canister messages is persisted.
	metaQueue = "queue"
)

// schedule executes messages in rounds: take what is queued, execute it
// (with the inter-canister messages it causes, up to a budget), commit the
// round to disk in one transaction, certify the new state, and only then
// answer. Crash between execution and commit and nothing was answered;
// crash after and everything answered is on disk.
func (r *Replica) schedule() {
	defer close(r.stopped)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-ticker.C:
			if len(r.pending) > 0 || len(r.bounded) > 0 || r.timersDue() || r.heartbeatDue() || time.Since(r.lastPrune) > time.Second {
				r.round(nil)
			}
			if now := time.Now(); r.evictDue(now) && !r.evictIdle(now) {
				r.lastEvict = now
			}
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
func (r *Replica) round(ingress []*message) {
	rd := newRound(r)
	rd.queue, r.pending = r.pending, nil
	hadQueue := len(rd.queue) > 0
	for _, m := range ingress {
		rd.executeIngress(m)
	}
	rd.fireTimers()
	rd.beat()
	rd.expireDeadlines()
	for n := 0; len(rd.queue) > 0 && n < maxRoundInternal; n++ {
		m := rd.queue[0]
		rd.queue = rd.queue[1:]
		rd.executeInternal(m)
	}
	r.pending = rd.queue
	if hadQueue || len(r.pending) > 0 {
		rd.batch.Meta = map[string][]byte{metaQueue: encodeQueue(r.pending)}
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
	for _, in := range rd.batch.Ingress {
		r.tree = setRequestStatus(r.tree, in)
	}
	r.trackTimersLocked(rd.touched)
	r.trackHeartbeatsLocked(rd.touched)
	err := r.certifyLocked()
	r.mu.Unlock()
	if err != nil {
		r.fail(err)
		return
	}
	r.stats.rounds.Add(1)
	for _, e := range rd.answered {
		close(e.done)
	}
}

func encodeQueue(q []*state.Message) []byte {
	if q == nil {
		q = []*state.Message{}
	}
	b, err := cbor.Marshal(q)
	if err != nil {
		panic(err) // plain structs of bytes and numbers always encode
	}
	return b
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

// round is the working state of one scheduler round. Only the scheduler
// goroutine uses it.
type round struct {
	r        *Replica
	time     uint64 // ns, the same for every message of the round
	batch    state.Batch
	touched  map[string]*canister
	queue    []*state.Message // inter-canister messages, in order
	answered []*ingressEntry  // ingress calls answered in this round
	// mgmt is the management canister call being executed, if any.
	mgmt *mgmtCall
	// installInstructions adds up the steps of the install_code running.
	installInstructions uint64
}

// mgmtCall is what a management canister method needs to know about the
// call besides its argument: the cycles attached and where to answer.
type mgmtCall struct {
	origin   state.Origin
	cycles   cycles.Amount // attached by a calling canister
	accepted cycles.Amount // kept by the method (create_canister, deposit_cycles)
}

func newRound(r *Replica) *round {
	r.mu.Lock()
	t := r.nowLocked()
	r.mu.Unlock()
	return &round{r: r, time: t, touched: make(map[string]*canister), batch: state.Batch{Modules: map[string][]byte{}}}
}

func (rd *round) enqueue(m *state.Message) { rd.queue = append(rd.queue, m) }

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
